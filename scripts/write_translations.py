"""Write the Hindi and Bengali catalogues from the translations below (run after `pybabel extract`).

Kept as data in one place so a translator can review every string side by side.
Usage: python scripts/write_translations.py   (then `pybabel compile -d web/translations`)
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "web" / "translations"

TRANSLATIONS: dict[str, dict[str, str]] = {
    "Pay your %(biller)s bill": {"hi": "अपने %(biller)s बिल का भुगतान करें", "bn": "আপনার %(biller)s বিল পরিশোধ করুন"},
    "Verified biller": {"hi": "सत्यापित बिलर", "bn": "যাচাই করা বিলার"},
    "Bill for %(name)s": {"hi": "%(name)s का बिल", "bn": "%(name)s-এর বিল"},
    "Amount": {"hi": "राशि", "bn": "পরিমাণ"},
    "Your bill": {"hi": "आपका बिल", "bn": "আপনার বিল"},
    "Consumer number": {"hi": "उपभोक्ता संख्या", "bn": "গ্রাহক নম্বর"},
    "Bill number": {"hi": "बिल संख्या", "bn": "বিল নম্বর"},
    "Period": {"hi": "अवधि", "bn": "সময়কাল"},
    "Due date": {"hi": "देय तिथि", "bn": "শেষ তারিখ"},
    "Pay by %(date)s": {"hi": "%(date)s तक भुगतान पर", "bn": "%(date)s-এর মধ্যে পরিশোধে"},
    "After the due date": {"hi": "देय तिथि के बाद", "bn": "শেষ তারিখের পরে"},
    "Status": {"hi": "स्थिति", "bn": "অবস্থা"},
    "Due": {"hi": "बकाया", "bn": "বকেয়া"},
    "Partly paid": {"hi": "आंशिक भुगतान", "bn": "আংশিক পরিশোধিত"},
    "Paid": {"hi": "भुगतान हो गया", "bn": "পরিশোধিত"},
    "Cancelled": {"hi": "रद्द", "bn": "বাতিল"},
    "Expired": {"hi": "समाप्त", "bn": "মেয়াদোত্তীর্ণ"},
    "Nothing due": {"hi": "कुछ बकाया नहीं", "bn": "কিছু বকেয়া নেই"},
    "Not available": {"hi": "उपलब्ध नहीं", "bn": "পাওয়া যাচ্ছে না"},
    "Amount due": {"hi": "देय राशि", "bn": "বকেয়া পরিমাণ"},
    "Early payment amount, if paid by %(date)s.": {
        "hi": "%(date)s तक भुगतान करने पर जल्दी भुगतान की राशि।",
        "bn": "%(date)s-এর মধ্যে পরিশোধ করলে আগাম পরিশোধের পরিমাণ।",
    },
    "Includes the late payment charge.": {"hi": "विलंब शुल्क सहित।", "bn": "বিলম্ব ফি সহ।"},
    "Could not reach %(biller)s just now; showing the bill as of %(date)s.": {
        "hi": "अभी %(biller)s से संपर्क नहीं हो सका; %(date)s तक का बिल दिखाया जा रहा है।",
        "bn": "এই মুহূর্তে %(biller)s-এর সাথে যোগাযোগ করা যায়নি; %(date)s পর্যন্ত বিল দেখানো হচ্ছে।",
    },
    "Pay with UPI": {"hi": "UPI से भुगतान करें", "bn": "UPI দিয়ে পরিশোধ করুন"},
    "Amount to pay (₹)": {"hi": "भुगतान राशि (₹)", "bn": "পরিশোধের পরিমাণ (₹)"},
    "Between %(low)s and %(high)s": {"hi": "%(low)s से %(high)s के बीच", "bn": "%(low)s থেকে %(high)s-এর মধ্যে"},
    "Enter an amount between %(low)s and %(high)s.": {
        "hi": "%(low)s से %(high)s के बीच की राशि दर्ज करें।",
        "bn": "%(low)s থেকে %(high)s-এর মধ্যে একটি পরিমাণ লিখুন।",
    },
    "Choose one of the apps below.": {"hi": "नीचे दिए गए ऐप में से एक चुनें।", "bn": "নিচের অ্যাপগুলির একটি বেছে নিন।"},
    "This bill cannot be paid now.": {"hi": "इस बिल का अभी भुगतान नहीं हो सकता।", "bn": "এই বিল এখন পরিশোধ করা যাবে না।"},
    "Pay with any UPI app": {"hi": "किसी भी UPI ऐप से भुगतान करें", "bn": "যেকোনো UPI অ্যাপ দিয়ে পরিশোধ করুন"},
    "your app": {"hi": "आपका ऐप", "bn": "আপনার অ্যাপ"},
    "UPI QR code for %(amount)s": {"hi": "%(amount)s के लिए UPI QR कोड", "bn": "%(amount)s-এর UPI QR কোড"},
    "Scan with any UPI app on your phone.": {
        "hi": "अपने फ़ोन के किसी भी UPI ऐप से स्कैन करें।",
        "bn": "আপনার ফোনের যেকোনো UPI অ্যাপ দিয়ে স্ক্যান করুন।",
    },
    "Simulate payment (sandbox)": {"hi": "भुगतान का अभ्यास (सैंडबॉक्स)", "bn": "পরীক্ষামূলক পরিশোধ (স্যান্ডবক্স)"},
    "Paid — thank you": {"hi": "भुगतान हो गया — धन्यवाद", "bn": "পরিশোধ হয়েছে — ধন্যবাদ"},
    "We received %(amount)s.": {"hi": "हमें %(amount)s प्राप्त हुए।", "bn": "আমরা %(amount)s পেয়েছি।"},
    "Reference": {"hi": "संदर्भ", "bn": "রেফারেন্স"},
    "This bill was cancelled by %(biller)s. There is nothing to pay.": {
        "hi": "यह बिल %(biller)s ने रद्द कर दिया है। कुछ भी भुगतान नहीं करना है।",
        "bn": "এই বিলটি %(biller)s বাতিল করেছে। কিছু পরিশোধ করতে হবে না।",
    },
    "This payment link has expired. Please ask %(biller)s for a new one.": {
        "hi": "यह भुगतान लिंक समाप्त हो गया है। कृपया %(biller)s से नया लिंक माँगें।",
        "bn": "এই পেমেন্ট লিংকের মেয়াদ শেষ। অনুগ্রহ করে %(biller)s-এর কাছে নতুন লিংক চান।",
    },
    "%(biller)s has no bill due for you right now.": {
        "hi": "अभी %(biller)s का आपका कोई बिल बकाया नहीं है।",
        "bn": "এই মুহূর্তে %(biller)s-এর কাছে আপনার কোনো বকেয়া বিল নেই।",
    },
    "%(biller)s could not find this bill. Please contact them.": {
        "hi": "%(biller)s को यह बिल नहीं मिला। कृपया उनसे संपर्क करें।",
        "bn": "%(biller)s এই বিলটি খুঁজে পায়নি। অনুগ্রহ করে তাদের সাথে যোগাযোগ করুন।",
    },
    "Genuine links always start with %(domain)s. Never share your UPI PIN.": {
        "hi": "असली लिंक हमेशा %(domain)s से शुरू होते हैं। अपना UPI PIN कभी साझा न करें।",
        "bn": "আসল লিংক সবসময় %(domain)s দিয়ে শুরু হয়। কখনও আপনার UPI PIN শেয়ার করবেন না।",
    },
    "Language": {"hi": "भाषा", "bn": "ভাষা"},
    "Please wait a moment": {"hi": "कृपया थोड़ा रुकें", "bn": "অনুগ্রহ করে একটু অপেক্ষা করুন"},
    "Too many attempts from your connection. Please try again in a minute.": {
        "hi": "आपके कनेक्शन से बहुत अधिक प्रयास हुए। कृपया एक मिनट बाद फिर कोशिश करें।",
        "bn": "আপনার সংযোগ থেকে অনেক বেশি চেষ্টা হয়েছে। অনুগ্রহ করে এক মিনিট পরে আবার চেষ্টা করুন।",
    },
    "Get bill reminders on Telegram": {"hi": "Telegram पर बिल रिमाइंडर पाएँ", "bn": "Telegram-এ বিল রিমাইন্ডার পান"},
    "Stop these emails": {"hi": "ये ईमेल बंद करें", "bn": "এই ইমেল বন্ধ করুন"},
    "Done. You will not get these emails any more.": {
        "hi": "हो गया। अब आपको ये ईमेल नहीं मिलेंगे।",
        "bn": "হয়ে গেছে। আপনি আর এই ইমেলগুলি পাবেন না।",
    },
    "Stop bill emails from this biller?": {
        "hi": "इस बिलर से बिल के ईमेल बंद करें?",
        "bn": "এই বিলারের বিল ইমেল বন্ধ করবেন?",
    },
    "Link not found": {"hi": "लिंक नहीं मिला", "bn": "লিংক পাওয়া যায়নি"},
    "This payment link is not valid. Check that you copied the whole link, or ask your biller for a new one.": {
        "hi": "यह भुगतान लिंक मान्य नहीं है। जाँचें कि आपने पूरा लिंक कॉपी किया है, या अपने बिलर से नया लिंक माँगें।",
        "bn": "এই পেমেন্ট লিংকটি বৈধ নয়। পুরো লিংকটি কপি করেছেন কিনা দেখুন, অথবা আপনার বিলারের কাছে নতুন লিংক চান।",
    },
}


def main() -> None:
    """Write web/translations/<lang>/LC_MESSAGES/messages.po for every message in messages.pot."""
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    missing = [message.id for message in template if message.id and message.id not in TRANSLATIONS]
    if missing:
        raise SystemExit("untranslated: " + "; ".join(missing))
    for language in ("hi", "bn"):
        catalog = Catalog(locale=language, project="ClickPay Assistant", fuzzy=False)
        for message in template:
            if message.id:
                catalog.add(message.id, TRANSLATIONS[message.id][language])
        target = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_po(handle, catalog, omit_header=False, width=0)


if __name__ == "__main__":
    main()
