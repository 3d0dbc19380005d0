"""Concepts shared across English, Hindi, Bengali and their romanised forms, as extra model features.

With a few hundred examples a model cannot learn that "भुगतान कर दिया", "diyechi" and "already paid" mean
the same; tagging each message with the concepts it mentions ("__pay__ __done__") lets one example in
one language teach the others.
"""

from __future__ import annotations

import re

_LATIN = {
    "pay": r"pay|payment|paying|payed|bhugtan|bharna|bhar|bhara|bharu|paisa|paise|taka|porishodh|jama|money|clear",
    "done": r"paid|done|already|diya|diye|di|gaya|gayi|hogaya|chuka|diyechi|dilam|korechi|kore diyechi|geche|"
    r"pathiyechi|sent|cleared|made|completed|itimoddhe|deduct\w*",
    "future": r"will|ll|dunga|dungi|karunga|karungi|bharunga|debo|dibo|korbo|later|baad|pore|remind|yaad|time|"
    r"somoy|wait|salary|after|till|until|pause|snooze|tomorrow|kal|next",
    "amount": r"how much|kitna|kitne|koto|owe|due|baki|amount|amt|pending|outstanding|balance|kya hai",
    "bill": r"bill|bil|bills",
    "message": r"messages?|msgs?|sms|texts?|reminders?|notifications?|whatsapp|messaging",
    "negation": r"mat|nahi|na|dont|don t|not|no|never|band|bondho|bondo|stop|r",
    "again": r"again|fir|phir|abar|resume|chalu|restart|unstop",
    "person": r"person|human|agent|insaan|customer care|call|phone|support|someone|kisi|karo sathe|kauke|manush",
    "complaint": r"wrong|galat|bhul|twice|double|do baar|dubar|duibar|complain\w*|bijli|current|power|internet|net|"
    r"not working|high|zyada|beshi|refund|kat|kete|service|meter|fail\w*|stuck|stopped|midway|halfway|atak\w*|atke",
    "cut": r"cut|disconnect\w*|kaat\w*|kato|katna|katiye|katben|kathben",
    "link": r"link|genuine|real|fake|fraud|scam|asli|asol|trust|safe|spam|naki",
    "app": r"app|apps|upi",
    "language": r"language|bhasha|bhasa",
    "greeting": r"hi|hii|hello|hey|namaste|namaskar|nomoskar|good morning|good evening|good afternoon",
    "thanks": r"thanks?|thx|thanku|dhanyawad|dhanyavad|shukriya|dhonnobad|dhonyobad",
    "help": r"help|menu|options|what can you do|madad|sahajjo|kya kar sakte|ki korte paren",
    "want": r"want|chahiye|chahta|chahti|chai|karna hai|korte chai|need|like to",
}
_NATIVE = {
    "pay": "भुगतान|पेमेंट|भर|पैसे|पैसा|जमा|পেমেন্ট|টাকা|পরিশোধ|বিল দি",
    "done": "दिया|दिए|दी |दी$|गया|गई|चुका|चुकी|भेज दि|দিয়েছি|দিয়ে দিয়েছি|করেছি|হয়ে গেছে|গেছে|পাঠিয়েছি|ইতিমধ্যে|দেওয়া হয়ে",
    "future": "दूंगा|दूँगा|दूंगी|करूंगा|करूँगा|भरूंगा|भरूँगा|बाद|याद|समय|अगले|कल|দেব|দিব|করব|পরে|মনে করিয়ে|সময়|কাল|পরের",
    "amount": "कितना|कितने|बकाया|राशि|कब तक|কত|বাকি|বকেয়া|কবে",
    "bill": "बिल|বিল",
    "message": "मैसेज|मेसेज|संदेश|एसएमएस|रिमाइंडर|মেসেজ|বার্তা|এসএমএস|রিমাইন্ডার",
    "negation": r"(?<!\S)(?:मत|नहीं|না|আর)(?!\S)|बंद|বন্ধ",  # whole words: not the না of রান্না or the मत of मतलब
    "again": "फिर|चालू|शुरू|আবার|চালু|শুরু",
    "person": "इंसान|व्यक्ति|एजेंट|कस्टमर|कॉल|मानुष|মানুষ|এজেন্ট|কাস্টমার|ফোন",
    "complaint": "गलत|दो बार|शिकायत|बिजली|ज़्यादा|ज्यादा|कट|अटक|फेल|ভুল|দুবার|অভিযোগ|কারেন্ট|বেশি|কেটে|আটকে|ফেল",
    "cut": "काट|কাটবেন|কাটবে না",
    "link": "लिंक|असली|सही है|फर्जी|নকল|লিংক|আসল|ভুয়া|সত্যি",
    "app": "ऐप|অ্যাপ",
    "language": "भाषा|ভাষা",
    "greeting": "नमस्ते|नमस्कार|হ্যালো|নমস্কার",
    "thanks": "धन्यवाद|शुक्रिया|ধন্যবাদ",
    "help": "मदद|मेनू|क्या कर सकते|সাহায্য|মেনু|কী করতে পারেন",
    "want": "चाहिए|चाहता|चाहती|करना है|চাই",
}
_PATTERNS = {
    concept: re.compile(rf"\b(?:{_LATIN[concept]})\b|{_NATIVE[concept]}") for concept in _LATIN.keys() | _NATIVE.keys()
}


def concepts_of(words: str) -> list[str]:
    """The concept tokens a normalised message mentions, e.g. ['__pay__', '__done__']."""
    return [f"__{concept}__" for concept, pattern in sorted(_PATTERNS.items()) if pattern.search(words)]


# The first that fits, in order: a payment that failed or stuck is not a charge twice, though money was taken.
_COMPLAINT_CATEGORIES = (
    (
        "payment_not_credited",
        re.compile(
            r"\b(?:fail\w*|stuck|pending|midway|halfway|atak\w*|atke|not credited|not updated|not reflect\w*)\b"
            r"|अटक|फेल|विफल|আটকে|ফেল|ব্যর্থ"
        ),
    ),
    (
        "charged_twice",
        re.compile(r"\b(?:twice|double|two times|do baar|do bar|dubar|duibar|2 baar)\b|दो बार|दोबारा|দুবার|দুইবার|দু বার"),
    ),
    (  # money taken, and not twice: the bill was not paid with it
        "payment_not_credited",
        re.compile(r"\b(?:deducted|debited|kat gaye|kat gaya|kat liya|kete niyeche|kete geche)\b|कट गए|कट गया|কেটে"),
    ),
    (
        "wrong_amount",
        re.compile(
            r"\b(?:wrong|galat|bhul|high|too much|zyada|jyada|beshi|excess|not mine|meter|reading|amount)\b"
            r"|गलत|ज़्यादा|ज्यादा|ভুল|বেশি"
        ),
    ),
    (
        "service",
        re.compile(
            r"\b(?:service|no power|no electricity|bijli|current|supply|internet|net|connection|not working|"
            r"outage|water|pani|gas)\b|बिजली|सेवा|कनेक्शन|পরিষেবা|কারেন্ট|বিদ্যুৎ|লাইন"
        ),
    ),
)


def complaint_category(words: str) -> str:
    """What a complaint is about: payment_not_credited, charged_twice, wrong_amount, service, or other."""
    for category, pattern in _COMPLAINT_CATEGORIES:
        if pattern.search(words):
            return category
    return "other"
