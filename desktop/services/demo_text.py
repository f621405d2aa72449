"""The words of the demo data: Indian business and people names, ticket titles built on the
seed's priority examples, replies, notes and follow-up comments (used by ``services.demo``).

Plain data only; every choice is made by the caller's ``random.Random`` so a seed gives the same
data every time.
"""
from __future__ import annotations

import random
import re

# Client names: a family, river, region or deity name and a line of business.
NAME_FIRST = [
    "Sharma", "Kaveri", "Gupta", "Lakshmi", "Agarwal", "Malabar", "Iyer", "Ganga", "Reddy",
    "Saraswati", "Patel", "Deccan", "Mehta", "Nilgiri", "Banerjee", "Sahyadri", "Kapoor", "Thar",
    "Joshi", "Konkan", "Chettinad", "Narmada", "Bose", "Himalaya", "Pillai", "Godavari", "Desai",
    "Vindhya", "Khanna", "Coromandel", "Shree Balaji", "Annapurna", "Mysore", "Kohinoor", "Jaipur",
    "Ruchi", "Vedic", "Tanjore", "Kalinga", "Brahmaputra",
]
NAME_SECOND = [
    "Textiles", "Ayurveda", "Jewellers", "Sweets", "Spices", "Motors", "Pharma", "Realty",
    "Handlooms", "Tea Estates", "Organics", "Tours & Travels", "Dental Clinic", "Academy",
    "Hospitals", "Furnishings", "Exports", "Foods", "Constructions", "Electronics", "Silks",
    "Ceramics", "Logistics", "Hotels", "Boutique", "Interiors", "Agro Industries", "Diagnostics",
    "Publications", "Crafts",
]
TLDS = [".in", ".com", ".co.in"]
CITIES = ["Pune", "Chennai", "Kochi", "Jaipur", "Indore", "Surat", "Mysuru", "Lucknow",
          "Bhubaneswar", "Nagpur", "Coimbatore", "Vadodara"]

FIRST_NAMES = [
    "Anita", "Rajesh", "Deepa", "Suresh", "Meera", "Vikram", "Pooja", "Karthik", "Neha", "Manoj",
    "Lakshmi", "Sanjay", "Divya", "Arvind", "Shalini", "Harish", "Fatima", "Imran", "Gurpreet",
    "Joseph", "Ananya", "Rahul", "Swati", "Naveen", "Rekha", "Abhishek", "Farhan", "Bhavna",
]
LAST_NAMES = [
    "Sharma", "Nair", "Menon", "Rao", "Verma", "Iyer", "Chatterjee", "Kulkarni", "Singh", "Das",
    "Pillai", "Shah", "Khan", "Fernandes", "Mishra", "Naidu", "Bhat", "Saxena", "Gill", "Thomas",
]
CONTACT_ROLES = ["Owner", "Marketing Manager", "IT Coordinator", "Operations Head",
                 "Accounts", "Director"]

# username, display name (the support team: 4-6 of them take part in a demo).
STAFF = [
    ("priya", "Priya Nair"), ("arjun", "Arjun Mehta"), ("kavya", "Kavya Reddy"),
    ("rohan", "Rohan Iyer"), ("sneha", "Sneha Kulkarni"), ("vikram", "Vikram Singh"),
]

# (category, priority, title template, weight). The titles grow from the seed's examples
# (DESIGN §2: "Website completely down", "Contact form not working", "Broken link", "Typo"...).
TITLES = [
    ("technical_issue", "critical", "Website completely down", 1.2),
    ("technical_issue", "critical", "Website completely down after hosting renewal",
     0.3),
    ("technical_issue", "critical", "Site down: database connection error", 0.6),
    ("functionality", "critical", "Payment system not working: {gateway} checkout fails",
     0.9),
    ("bug_fix", "critical", "Payment gateway returns an error on the {page}", 0.6),
    ("technical_issue", "critical", "Data loss: orders from {weekday} missing", 0.3),
    ("security_update", "critical", "Security breach: malware redirect on the {page}", 0.3),
    ("security_update", "critical", "Security breach: admin account compromised", 0.2),
    ("third_party", "critical", "{gateway} outage blocking all payments", 0.3),
    ("functionality", "high", "Contact form not working on the {page}", 6),
    ("bug_fix", "high", "Major page broken: {page}", 5),
    ("functionality", "high", "Login issues for registered customers", 4),
    ("functionality", "high", "Search not functioning on the {page}", 4),
    ("bug_fix", "high", "Enquiry e-mails not reaching the {dept}", 3),
    ("performance", "high", "{page} takes over 10 seconds to load", 2),
    ("security_update", "high", "Security update pending for {plugin}", 2),
    ("third_party", "high", "{service} integration stopped syncing", 2),
    ("technical_issue", "high", "SSL certificate warning on the {page}", 1),
    ("bug_fix", "medium", "Broken link on the {page}", 8),
    ("bug_fix", "medium", "Image not displaying on the {page}", 8),
    ("bug_fix", "medium", "Formatting issue in the {page}", 6),
    ("bug_fix", "medium", "Minor bug in the {element}", 5),
    ("performance", "medium", "Slow image loading on the {page}", 3),
    ("content_update", "medium", "Update {content} on the {page}", 6),
    ("documentation", "medium", "Update the admin guide for {doc}", 2),
    ("technical_issue", "medium", "Newsletter sign-up shows an error", 2),
    ("third_party", "medium", "Google Maps embed not loading on the {page}", 2),
    ("bug_fix", "low", "Typo on the {page}", 7),
    ("bug_fix", "low", "Colour adjustment of the {element}", 5),
    ("bug_fix", "low", "Minor layout issue in the {element}", 5),
    ("new_feature", "low", "Enhancement request: {feature}", 5),
    ("content_update", "low", "Add {content} to the {page}", 7),
    ("content_update", "low", "Replace banner images for the {festival} offer", 4),
    ("training", "low", "Training: how to {task}", 2),
    ("documentation", "low", "Document how to {task}", 1),
]
SLOTS = {
    "page": ["Home page", "Contact Us page", "Products page", "Checkout page", "About Us page",
             "Blog", "Careers page", "Gallery", "Services page", "Franchise enquiry page",
             "Store locator", "Order tracking page"],
    "gateway": ["Razorpay", "PayU", "CCAvenue", "Paytm", "Cashfree"],
    "plugin": ["WooCommerce", "Yoast SEO", "Elementor", "Contact Form 7", "WPForms",
               "Wordfence"],
    "service": ["Zoho CRM", "Shiprocket", "Tally", "WhatsApp Business", "Mailchimp",
                "Google Analytics"],
    "content": ["the price list", "team photos", "the festive offer banner",
                "the product catalogue PDF", "testimonials", "store timings",
                "the new branch address"],
    "festival": ["Diwali", "Holi", "Onam", "Pongal", "Eid", "Navratri", "Durga Puja",
                 "Independence Day"],
    "element": ["header buttons", "footer", "product cards", "mobile menu", "sidebar",
                "enquiry form"],
    "feature": ["WhatsApp chat button", "Hindi version of the site", "online appointment booking",
                "GST invoice download", "wishlist for customers", "EMI options at checkout"],
    "task": ["add a blog post", "change product prices", "export the month's orders",
             "update the home page slider", "reply to reviews"],
    "dept": ["sales team", "HR team", "front desk", "accounts team"],
    "doc": ["order exports", "the new slider", "blog publishing", "the store locator"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
}
_SLOT = re.compile(r"\{(\w+)\}")

FIRST_REPLIES = [
    "Thank you for reporting this. We are looking into it now.",
    "Thanks, we have received your request and assigned it to our team.",
    "We are on it and will update you shortly.",
    "Noted. We have reproduced the problem and are working on a fix.",
]
WAITING_ASKS = [
    "Could you share a screenshot of the error, please?",
    "Please send us the final text and images for this change.",
    "Could you confirm which browser and device you see this on?",
    "We need the hosting control-panel access to proceed; please share it securely.",
]
CLIENT_BACK = [
    "Client sent the requested details.",
    "Client shared the screenshots; work resumed.",
    "Received the content from the client.",
]
NOTES = [
    "Checked the server logs; the error started after last night's plugin update.",
    "Cause found: a caching rule was serving a stale page.",
    "Tested on staging before applying to the live site.",
    "Discussed with the developer who built the site; fix is straightforward.",
    "Client is sensitive about downtime; apply the change after 8 pm.",
    "Same issue as last month; consider a permanent fix in the next quarterly review.",
]
RESOLUTIONS = [
    "Fixed and verified on the live site. Please check and let us know.",
    "The change is live. Cleared the cache so everyone sees it.",
    "Resolved: the plugin conflict is fixed and a backup was taken first.",
    "Done. We also added a check so this is caught earlier next time.",
]
REOPENS = [
    "Client reports the issue is back.",
    "Reopened: the fix does not work on mobile.",
]
OVERRIDE_REASONS = [
    "Goodwill for a long-standing client; approved by the support manager.",
    "Part of the original project scope; the agency fixes it free of charge.",
    "Renewal is being signed this week; covering it in the meantime.",
]
TIME_NOTES = {
    "content_update": ["Updated the page content", "Prepared and uploaded images",
                       "Edited text and published"],
    "_": ["Investigation", "Fix and testing", "Deployment and verification", "Call with client"],
}
FOLLOW_UP_COMMENTS = {
    5: ["Very quick response, thank you!", "Excellent support as always.", ""],
    4: ["Good, resolved properly.", "Happy with the fix.", ""],
    3: ["Fixed, but it took a while.", "OK.", ""],
    2: ["Took longer than expected.", "Had to follow up twice."],
    1: ["Site was down for too long.", "Not satisfied with the response time."],
}


def fill(template: str, rng: random.Random) -> str:
    """The template with each ``{slot}`` replaced by one of its words."""
    if "{" not in template:
        return template
    return _SLOT.sub(lambda m: rng.choice(SLOTS[m.group(1)]), template)


def client_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct business names ("Sharma Textiles", "Kaveri Ayurveda"...)."""
    pairs = [(a, b) for a in NAME_FIRST for b in NAME_SECOND]
    rng.shuffle(pairs)
    names = [f"{a} {b}" for a, b in pairs[:count]]
    extra = count - len(names)
    for i in range(extra):  # beyond 1,200 clients: branches in other cities
        a, b = pairs[i % len(pairs)]
        names.append(f"{a} {b} ({CITIES[(i // len(pairs)) % len(CITIES)]} {i // len(pairs) + 1})")
    return names


def domain_for(name: str, rng: random.Random) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower()) + rng.choice(TLDS)


def indian_mobile(rng: random.Random) -> str:
    """A plausible Indian mobile number: +91 and ten digits starting 6-9."""
    digits = str(rng.randint(6, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return f"+91 {digits[:5]} {digits[5:]}"


def landline(rng: random.Random) -> str:
    code = rng.choice(["20", "22", "33", "40", "44", "80", "484", "141"])
    return f"+91 {code} {rng.randint(2000, 6999)} {rng.randint(1000, 9999)}"

MONTHLY_SUMMARIES = [
    "A calm month: all updates applied after fresh backups, and every ticket answered within "
    "its target.",
    "The site stayed fast and secure. We fixed the enquiry-form problem your team reported and "
    "kept the festive banners up to date.",
    "One short outage caused by the hosting provider; we escalated it and the site was back "
    "within the hour. Everything else ran smoothly.",
    "We held back one plugin update that would have broken the checkout page and will apply it "
    "once the vendor's fix is out.",
]
QUARTERLY_RECOMMENDATIONS = [
    "Move images to a CDN to cut page load time on mobile; add online appointment booking, the "
    "most requested feature this quarter.",
    "Plan the platform upgrade for next quarter and refresh the home page design before the "
    "festive season.",
    "Most tickets were content updates: a short training session would let your team make "
    "small changes themselves.",
]
