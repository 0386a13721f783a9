"""Dictionaries behind PERSON and STREET_ADDRESS: first and last names, titles, name
suffixes, street suffixes, and the capitalised words that look like names but mostly are
not (see :mod:`bastion.pii._name_data` for where the lists come from).

There is no named-entity model here, on purpose (pure computation, no model download):
a name is found when its words are in the dictionaries, or a title or context word vouches
for it. That bounds recall to the names the lists hold (see docs/pii.md).
"""

from __future__ import annotations

from bastion.pii._name_data import FIRST_NAMES, LAST_NAMES, STREET_SUFFIXES

__all__ = [
    "AMBIGUOUS_FIRST",
    "COMPANY_WORDS",
    "FIRST",
    "LAST",
    "NAME_SUFFIXES",
    "NOT_NAMES",
    "PLACE_PREFIXES",
    "STREET_SUFFIX_WORDS",
    "TITLES",
]

FIRST: frozenset[str] = frozenset(FIRST_NAMES.split())
LAST: frozenset[str] = frozenset(LAST_NAMES.split())

TITLES: frozenset[str] = frozenset(
    {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Lady", "Lord", "Rev",
     "Mr.", "Mrs.", "Ms.", "Mx.", "Dr.", "Prof.", "Rev."}
)  # fmt: skip
NAME_SUFFIXES: frozenset[str] = frozenset(
    {"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV", "V", "MD", "DDS", "PhD", "DVM", "Esq",
     "Esq.", "MBE", "OBE", "CBE", "RN"}
)  # fmt: skip

# First names that are also everyday words (months, virtues, verbs): alone they are far
# more often the word, so they need a last name or a title beside them.
AMBIGUOUS_FIRST: frozenset[str] = frozenset(
    {"April", "May", "June", "July", "August", "Will", "Bill", "Mark", "Grace", "Hope",
     "Joy", "Faith", "Dawn", "Crystal", "Amber", "Ruby", "Rose", "Summer", "Autumn",
     "Angel", "Destiny", "Chase", "Hunter", "Mason", "Carter", "Cooper", "Lane", "Jean",
     "Ray", "Guy", "Bob", "Art", "Sue", "Pat", "Don", "Frank", "Rich", "Sky", "Star",
     "Max", "Jack", "Bella", "Charity", "Glen", "Dale", "Heather", "Holly", "Ivy", "Iris",
     "Jade", "Pearl", "Sage", "Trinity", "Victoria", "Kay", "Lee", "Dean", "Gene", "Carol",
     "Robin", "Wayne", "Drew", "Reed", "Wade", "Miles", "Neil", "Penny", "Sandy", "Misty",
     "Brandy", "Candy", "Christian", "Jordan", "Madison", "Paris", "Sydney", "Austin",
     "Dakota", "Savannah", "Georgia", "Virginia", "Carolina", "Brittany", "Chelsea",
     "Shannon", "Kerry", "Tyler", "Taylor", "Parker", "Spencer", "Marshall", "Porter",
     "Warren", "Gordon", "Norman", "Stanley", "Harley", "Kelly", "Terry", "Harry", "Roger"}
)  # fmt: skip

# Capitalised words that start sentences or label fields and are never part of a name.
NOT_NAMES: frozenset[str] = frozenset(
    {"The", "This", "That", "These", "Those", "There", "Then", "Please", "Thanks", "Thank",
     "Hi", "Hello", "Hey", "Dear", "Name", "Full", "First", "Last", "Customer", "Patient",
     "Employee", "Contractor", "Applicant", "Beneficiary", "Client", "User", "Owner",
     "Contact", "Emergency", "New", "Our", "Your", "My", "His", "Her", "Their", "We", "You",
     "It", "If", "In", "On", "At", "For", "From", "To", "By", "With", "And", "Or", "But",
     "As", "Is", "Are", "Was", "Can", "Could", "Would", "Should", "Send", "Call", "Use",
     "Maybe", "Order", "Invoice", "Card", "Account", "Bank", "Transfer", "Payroll", "Travel",
     "Fleet", "Rental", "Background", "Benefits", "Relocation", "Exit", "Performance",
     "Reimburse", "Occupational", "National", "Insurance", "Social", "Security", "Number",
     "Date", "Birth", "Passport", "Driver", "License", "Licence", "Home", "Office", "Phone",
     "Mobile", "Email", "Address", "Street", "Road", "City", "State", "Country", "Device",
     "Website", "Wallet", "Network", "Memo", "Reference", "Note", "Notes", "Re", "Subject",
     "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
     "January", "February", "March", "September", "October", "November", "December", "Jan",
     "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "I", "A",
     "An", "Of", "Nationality", "United", "States", "Kingdom", "Expiry", "Issued",
     "Start", "Total", "Qty", "Tax", "Tracking", "Gift", "Loyalty", "Library", "Router",
     "Dependency", "Session", "Request", "Upgrade", "Build", "Merged", "Ticket", "Sample",
     "Credit", "Debit", "Visa", "Mastercard", "Amex", "Bitcoin", "Ethereum", "Crypto",
     "IBAN", "SSN", "DOB", "NHS", "NINO", "MAC", "IP", "URL", "API", "Here", "Where",
     "When", "What", "Who", "Why", "How", "Not", "No", "Yes", "Ok", "OK", "Also", "Just",
     "Still", "Only", "After", "Before", "Since", "Until", "Because", "Need", "Get",
     "Set", "Let", "Make", "Check", "Update", "Change", "Correct", "Add", "Remove",
     "Delete", "Reset", "Close", "Open", "Block", "Stop", "See", "Look"}
)  # fmt: skip

# Words that begin place names (Faker's city prefixes among them): "North Kimberly" and
# "Port Brendan" are towns, not people.
PLACE_PREFIXES: frozenset[str] = frozenset(
    {"North", "South", "East", "West", "New", "Port", "Lake", "Fort", "Mount", "Mt", "St",
     "Saint", "San", "Santa", "Los", "Las", "El", "Glen", "Royal", "Upper", "Lower"}
)  # fmt: skip

# Company words: "Garcia LLC", "Smith and Sons" are firms.
COMPANY_WORDS: frozenset[str] = frozenset(
    {"LLC", "Inc", "Inc.", "Ltd", "Ltd.", "PLC", "plc", "Group", "Sons", "Corp", "Corp.",
     "Company", "Co", "Co.", "GmbH", "AG", "SA", "LLP", "Partners", "Holdings", "Bank",
     "University", "College", "School", "Hospital", "Clinic", "Foundation", "Trust"}
)  # fmt: skip

_ABBREVIATIONS = {
    "St", "Ave", "Av", "Rd", "Blvd", "Dr", "Ln", "Ct", "Pl", "Ter", "Terr", "Hwy", "Pkwy",
    "Cir", "Sq", "Trl", "Pike", "Expy", "Fwy", "Cres", "Gdns", "Gr", "Mnr", "Pk", "Pde",
    "Parade", "Close", "Gardens", "Grove", "Mews", "Wharf", "Yard", "Boulevard",
}  # fmt: skip
STREET_SUFFIX_WORDS: frozenset[str] = frozenset(STREET_SUFFIXES.split()) | frozenset(_ABBREVIATIONS)
"""Street suffixes: USPS Publication 28 words and common abbreviations (St, Ave, Rd …)."""
