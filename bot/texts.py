"""Everything the bot says, in English, Hindi and Bengali."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "menu": {
        "en": "Reply with a number:\n1 My bills\n2 Pay\n3 I already paid\n4 Remind me later\n5 Payment app\n"
        "6 Language\n7 Talk to a person\n8 Stop messages\nYou can also send a link to check it is genuine.",
        "hi": "नंबर भेजें:\n1 मेरे बिल\n2 भुगतान करें\n3 मैंने भुगतान कर दिया\n4 बाद में याद दिलाएँ\n5 भुगतान ऐप\n"
        "6 भाषा\n7 किसी व्यक्ति से बात करें\n8 संदेश बंद करें\nकोई लिंक भेजकर जाँचें कि वह असली है या नहीं।",
        "bn": "একটি নম্বর পাঠান:\n1 আমার বিল\n2 পেমেন্ট করুন\n3 আমি পেমেন্ট করেছি\n4 পরে মনে করিয়ে দিন\n"
        "5 পেমেন্ট অ্যাপ\n6 ভাষা\n7 একজন মানুষের সাথে কথা বলুন\n8 বার্তা বন্ধ করুন\n"
        "কোনো লিংক পাঠিয়ে দেখুন সেটি আসল কিনা।",
    },
    "unknown_sender": {
        "en": "We could not find your account from this number. Please use the link in your bill message, "
        "or contact your biller.",
        "hi": "इस नंबर से आपका खाता नहीं मिला। कृपया अपने बिल संदेश का लिंक इस्तेमाल करें या अपने बिलर से संपर्क करें।",
        "bn": "এই নম্বর থেকে আপনার অ্যাকাউন্ট পাওয়া যায়নি। অনুগ্রহ করে বিল বার্তার লিংক ব্যবহার করুন বা বিলারের সাথে যোগাযোগ করুন।",
    },
    "no_bills": {
        "en": "You have no bills due. Thank you!",
        "hi": "आपका कोई बिल बकाया नहीं है। धन्यवाद!",
        "bn": "আপনার কোনো বকেয়া বিল নেই। ধন্যবাদ!",
    },
    "bill_line": {
        "en": "{biller}: {amount} due {due_date}. Pay: {link}",
        "hi": "{biller}: {amount}, देय {due_date}। भुगतान: {link}",
        "bn": "{biller}: {amount}, দেয় {due_date}। পেমেন্ট: {link}",
    },
    "pay_line": {
        "en": "Pay {biller} {amount}{app}: {link}",
        "hi": "{biller} को {amount} भुगतान करें{app}: {link}",
        "bn": "{biller}-কে {amount} পেমেন্ট করুন{app}: {link}",
    },
    "with_app": {"en": " with {app}", "hi": " ({app} से)", "bn": " ({app} দিয়ে)"},
    "paid_ack": {
        "en": "Thank you. We have paused reminders for 48 hours and our team will confirm your payment{utr}.",
        "hi": "धन्यवाद। हमने 48 घंटे के लिए रिमाइंडर रोक दिए हैं और हमारी टीम आपका भुगतान जाँचेगी{utr}।",
        "bn": "ধন্যবাদ। আমরা ৪৮ ঘণ্টার জন্য রিমাইন্ডার বন্ধ রেখেছি এবং আমাদের দল আপনার পেমেন্ট যাচাই করবে{utr}।",
    },
    "utr_note": {"en": " (reference {utr})", "hi": " (संदर्भ {utr})", "bn": " (রেফারেন্স {utr})"},
    "later_ack": {
        "en": "OK, we will remind you after {date}.",
        "hi": "ठीक है, हम {date} के बाद याद दिलाएँगे।",
        "bn": "ঠিক আছে, আমরা {date}-এর পরে মনে করিয়ে দেব।",
    },
    "choose_biller": {
        "en": "Which biller is this about? Reply with a number:\n{options}",
        "hi": "यह किस बिलर के बारे में है? नंबर भेजें:\n{options}",
        "bn": "এটি কোন বিলারের বিষয়ে? একটি নম্বর পাঠান:\n{options}",
    },
    "choose_app": {
        "en": "Which app do you pay with? Reply with a number:\n{options}",
        "hi": "आप किस ऐप से भुगतान करते हैं? नंबर भेजें:\n{options}",
        "bn": "আপনি কোন অ্যাপ দিয়ে পেমেন্ট করেন? একটি নম্বর পাঠান:\n{options}",
    },
    "app_saved": {
        "en": "Saved: {app} will be shown first.",
        "hi": "सेव हो गया: {app} सबसे पहले दिखेगा।",
        "bn": "সেভ হয়েছে: {app} সবার আগে দেখানো হবে।",
    },
    "choose_language": {
        "en": "Choose a language:\n1 English\n2 हिन्दी\n3 বাংলা",
        "hi": "भाषा चुनें:\n1 English\n2 हिन्दी\n3 বাংলা",
        "bn": "ভাষা বেছে নিন:\n1 English\n2 हिन्दी\n3 বাংলা",
    },
    "language_saved": {"en": "Language set to English.", "hi": "भाषा हिन्दी कर दी गई है।", "bn": "ভাষা বাংলা করা হয়েছে।"},
    "stopped": {
        "en": "You will not get messages here any more. Reply START to get them again.",
        "hi": "अब आपको यहाँ संदेश नहीं मिलेंगे। फिर से पाने के लिए START भेजें।",
        "bn": "আপনি এখানে আর বার্তা পাবেন না। আবার পেতে START পাঠান।",
    },
    "started": {
        "en": "Welcome back. You will get bill messages here again.",
        "hi": "फिर से स्वागत है। आपको यहाँ फिर से बिल संदेश मिलेंगे।",
        "bn": "আবার স্বাগতম। আপনি এখানে আবার বিল বার্তা পাবেন।",
    },
    "agent_ack": {
        "en": "A member of our team will reply here soon.",
        "hi": "हमारी टीम का कोई सदस्य जल्द ही यहाँ जवाब देगा।",
        "bn": "আমাদের দলের একজন শীঘ্রই এখানে উত্তর দেবেন।",
    },
    "link_genuine": {
        "en": "This is a genuine link from {biller} for bill {bill}.",
        "hi": "यह {biller} का असली लिंक है, बिल {bill} के लिए।",
        "bn": "এটি {biller}-এর আসল লিংক, বিল {bill}-এর জন্য।",
    },
    "link_fake": {
        "en": "Warning: this link is not from us. Do not pay through it or share any PIN.",
        "hi": "चेतावनी: यह लिंक हमारा नहीं है। इससे भुगतान न करें और कोई PIN साझा न करें।",
        "bn": "সতর্কতা: এই লিংকটি আমাদের নয়। এর মাধ্যমে পেমেন্ট করবেন না বা কোনো PIN শেয়ার করবেন না।",
    },
    "connected": {
        "en": "Connected. You will get {biller} bill reminders here.",
        "hi": "जुड़ गया। आपको यहाँ {biller} के बिल रिमाइंडर मिलेंगे।",
        "bn": "সংযুক্ত হয়েছে। আপনি এখানে {biller}-এর বিল রিমাইন্ডার পাবেন।",
    },
}


def say(key: str, language: str, **values: str) -> str:
    """A bot text in the customer's language (English when not translated), filled in."""
    versions = TEXTS[key]
    return versions.get(language, versions["en"]).format(**values)


MENU_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("My bills", "bills"),
        ("Pay", "pay"),
        ("I already paid", "paid"),
        ("Remind me later", "later"),
        ("Payment app", "app"),
        ("Language", "language"),
        ("Talk to a person", "agent"),
    ),
    "hi": (
        ("मेरे बिल", "bills"),
        ("भुगतान करें", "pay"),
        ("मैंने भुगतान कर दिया", "paid"),
        ("बाद में", "later"),
        ("भुगतान ऐप", "app"),
        ("भाषा", "language"),
        ("व्यक्ति से बात", "agent"),
    ),
    "bn": (
        ("আমার বিল", "bills"),
        ("পেমেন্ট করুন", "pay"),
        ("আমি পেমেন্ট করেছি", "paid"),
        ("পরে", "later"),
        ("পেমেন্ট অ্যাপ", "app"),
        ("ভাষা", "language"),
        ("মানুষের সাথে কথা", "agent"),
    ),
}


def menu_choices(language: str) -> tuple[tuple[str, str], ...]:
    """The menu as buttons (label, callback data ≤ 64 bytes) for channels that show them."""
    return MENU_CHOICES.get(language, MENU_CHOICES["en"])
