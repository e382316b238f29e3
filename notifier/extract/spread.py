"""Wording that spreads the people a figure counts over several countries.

EXTRACTION.md: `country` is null when a figure spans several countries. A
sentence says so with a count of countries ("in 14 African countries"), a
region or a sea ("across the Sahel", "in the Andaman Sea"), and a report with
a regional title ("SOUTHERN AFRICA: Cyclone Flash Update") is the story of no
one country. `country.py` reads these patterns; they live here so that the
placing rules there stay readable.
"""

from __future__ import annotations

import re

__all__ = ["ABROAD", "REGIONAL_TITLE", "RELATIVE", "SPREAD"]

# The people are in several countries: nothing names one of them.
SPREAD = re.compile(
    r"\b(?:across|in|throughout|around|among|of|from|to|into)\s+(?:the\s+|all\s+|both\s+|these\s+)?"
    r"(?:(?:two|three|four|five|six|seven|eight|nine|ten|\d+|several|many|both|neighbouring"
    r"|neighboring|affected|other|nearby)\s+)?"
    # "in 14 African countries", "across five West African countries"
    r"(?:(?-i:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\s+)?countries\b"
    r"|\bworld-?wide\b|\baround the (?:world|globe)\b"
    r"|\bglobally\b|\b(?:across|in|throughout) the (?:region|world|continent)\b"
    r"|\b(?:in|across|throughout|around|cross|crossing|crossed|on|via)\s+(?:the\s+)?"
    r"(?:(?:western|eastern|southern|northern"
    r"|central|south-western|south-eastern|north-western|north-eastern)\s+)?"
    r"(?:europe|africa|asia|latin america|the americas|middle east|sahel|horn of africa"
    r"|mediterranean|aegean|english channel|red sea|gulf of aden|darien gap"
    r"|west africa|east africa|southern africa|central america|caribbean|balkans"
    r"|lake chad basin|south asia|south-east asia|southeast asia|central asia"
    r"|andaman sea|bay of bengal|arabian sea|black sea|south china sea|gulf of guinea"
    r"|atlantic|indian ocean)\b",
    re.IGNORECASE,
)

# A title that opens with a region of several countries, as a heading
# ("SOUTHERN AFRICA: Cyclone Flash Update", "Sahel - Regional Overview"), or that
# calls the report regional.
REGIONAL_TITLE = re.compile(
    r"\s*(?:(?:(?:western|eastern|southern|northern|central|west|east|north|south)\s+)?"
    r"(?:africa|sahel|horn of africa|lake chad basin|great lakes|middle east|latin america"
    r"|central america|caribbean|south-?east asia|south asia|pacific|balkans|europe)"
    r"(?:\s+(?:and|&)\s+[\w ]{3,30}?)?\s*(?:[:\-\u2013\u2014|]|\n)"
    r"|[^\n]{0,120}\bregional\s+(?:flash|overview|update|situation|snapshot|humanitarian"
    r"|response|outlook|refugee))",
    re.IGNORECASE,
)

# A spread that says where refugees went, not which country they fled.
ABROAD = re.compile(
    r"(?:in|to|into|across|throughout|among)\s+(?:the\s+)?(?:neighbouring|neighboring|nearby"
    r"|other)\s+countries",
    re.IGNORECASE,
)
# A spread in a relative clause tells what an organisation does, not where the
# people are: "UNICEF, which works in 190 countries, said ...".
RELATIVE = re.compile(r"\b(?:which|who|that|whose)\b[^,;]*$")
