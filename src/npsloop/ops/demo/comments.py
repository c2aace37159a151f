"""What the demo's people write: sentences in recognisable themes, praise or complaint."""

from __future__ import annotations

import random

THEMES = (
    "pricing",
    "ease of use",
    "support",
    "performance",
    "missing features",
    "integrations",
    "reliability",
)

PRAISE: dict[str, tuple[str, ...]] = {
    "pricing": (
        "The pricing is fair for what we get.",
        "Great value for money compared to the big clouds.",
        "Billing is transparent and we never get surprise invoices.",
        "The free tier let us try everything before we paid a cent.",
        "Costs are predictable, which our finance team loves.",
    ),
    "ease of use": (
        "The console is intuitive, I found everything without reading the docs.",
        "Onboarding took our team less than a day.",
        "Really easy to use, even for the non-engineers on my team.",
        "The new dashboard makes daily work so much simpler.",
        "Setting up a new project is a couple of clicks.",
    ),
    "support": (
        "Support answered within the hour and actually solved the problem.",
        "Your support engineers are knowledgeable and friendly.",
        "Our account manager goes the extra mile every time.",
        "The support team walked us through the migration step by step.",
        "Fast, competent support — that alone keeps us here.",
    ),
    "performance": (
        "Deployments are fast and the latency is consistently low.",
        "Performance has been excellent since we moved over.",
        "Queries that took seconds elsewhere take milliseconds here.",
        "The platform scales with our traffic spikes without any tuning.",
    ),
    "missing features": (
        "Every release brings something we had asked for.",
        "The roadmap matches what we need, and you ship it.",
        "Feature coverage is impressive for a team your size.",
    ),
    "integrations": (
        "The Terraform provider and the API make automation painless.",
        "The Slack and GitHub integrations save us hours every week.",
        "It fits right into our CI pipeline.",
        "Connecting our SSO took five minutes.",
    ),
    "reliability": (
        "Rock solid, we haven't had an outage in a year.",
        "Uptime has been flawless for us.",
        "It just works, day after day.",
        "We trust it with our production workloads.",
    ),
}

COMPLAINT: dict[str, tuple[str, ...]] = {
    "pricing": (
        "Too expensive for a small team like ours.",
        "The last price increase was hard to justify to management.",
        "Egress fees keep surprising us on the invoice.",
        "Pricing is confusing, I can never predict the monthly bill.",
        "We need a plan between Starter and Pro; the jump is too big.",
    ),
    "ease of use": (
        "The new UI is confusing, I can't find the settings I used every day.",
        "Too many clicks to do simple things.",
        "The documentation is out of date and hard to follow.",
        "Permissions are really hard to set up correctly.",
        "The redesign moved everything around without any warning.",
    ),
    "support": (
        "Support took three days to answer a production issue.",
        "Tickets get bounced between teams and nobody owns the problem.",
        "Support keeps sending us links to docs instead of helping.",
        "We never hear back from our account manager.",
        "Response times from support have gotten worse this year.",
    ),
    "performance": (
        "The dashboard is slow to load, especially in the morning.",
        "Latency from Asia is much higher than promised.",
        "Builds have become noticeably slower over the last months.",
        "Performance degrades badly under load.",
    ),
    "missing features": (
        "Still no audit log export, which we need for compliance.",
        "We are missing role-based access control for contractors.",
        "Please add scheduled backups for the managed databases.",
        "No way to tag resources by cost center yet.",
        "The reporting is too basic for what we need.",
    ),
    "integrations": (
        "The Salesforce integration breaks every few weeks.",
        "We need a proper Jira integration.",
        "The API is missing endpoints the console has.",
        "Webhooks are unreliable and there is no retry.",
    ),
    "reliability": (
        "We had two outages last month and the status page said nothing.",
        "Random timeouts make it hard to trust for production.",
        "Deployments fail intermittently without a clear error.",
        "Too many incidents lately.",
    ),
}

OPENERS = {
    "promoter": ("", "", "Love it! ", "Honestly, ", "Overall great. ", "Keep it up. "),
    "passive": ("", "Good overall, but ", "It's fine. ", "Mostly happy. ", "Decent. "),
    "detractor": ("", "", "Frustrating. ", "Honestly, ", "Disappointed. ", "Sorry, but "),
}


def write_comment(rng: random.Random, category: str, theme: str, second_theme: str | None) -> str:
    """One or two sentences; passives praise one thing and regret another."""
    opener = rng.choice(OPENERS[category])
    first = rng.choice((PRAISE if category == "promoter" else COMPLAINT)[theme])
    if opener.endswith("but "):
        first = first[0].lower() + first[1:]
    text = opener + first
    if second_theme is not None and second_theme != theme:
        pool = COMPLAINT if category == "detractor" else PRAISE
        text += " " + rng.choice(pool[second_theme])
    return text
