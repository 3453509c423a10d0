"""CWE and OWASP Top 10 (2021) names and links used by hovers, SARIF and reports."""

from __future__ import annotations

OWASP_2021: dict[str, str] = {
    "A01:2021": "Broken Access Control",
    "A02:2021": "Cryptographic Failures",
    "A03:2021": "Injection",
    "A04:2021": "Insecure Design",
    "A05:2021": "Security Misconfiguration",
    "A06:2021": "Vulnerable and Outdated Components",
    "A07:2021": "Identification and Authentication Failures",
    "A08:2021": "Software and Data Integrity Failures",
    "A09:2021": "Security Logging and Monitoring Failures",
    "A10:2021": "Server-Side Request Forgery",
}

_OWASP_SLUGS: dict[str, str] = {
    "A01:2021": "A01_2021-Broken_Access_Control",
    "A02:2021": "A02_2021-Cryptographic_Failures",
    "A03:2021": "A03_2021-Injection",
    "A04:2021": "A04_2021-Insecure_Design",
    "A05:2021": "A05_2021-Security_Misconfiguration",
    "A06:2021": "A06_2021-Vulnerable_and_Outdated_Components",
    "A07:2021": "A07_2021-Identification_and_Authentication_Failures",
    "A08:2021": "A08_2021-Software_and_Data_Integrity_Failures",
    "A09:2021": "A09_2021-Security_Logging_and_Monitoring_Failures",
    "A10:2021": "A10_2021-Server-Side_Request_Forgery_%28SSRF%29",
}


def cwe_url(cwe: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{cwe}.html"


def owasp_name(owasp_id: str) -> str:
    return OWASP_2021.get(owasp_id, owasp_id)


def owasp_url(owasp_id: str) -> str:
    slug = _OWASP_SLUGS.get(owasp_id)
    return f"https://owasp.org/Top10/{slug}/" if slug else "https://owasp.org/Top10/"
