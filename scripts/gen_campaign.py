#!/usr/bin/env python3
"""Generates the synthetic campaign in examples/campaign/ for `scout evaluate`.

    python3 scripts/gen_campaign.py            # writes examples/campaign/{candidates,outcomes}.csv

Standard library only, fixed seed: the files are the same on every run.

Each creator has a hidden engagement quality `q` (standard normal). What a discovery
platform shows before the campaign (likes, comments) reflects `q` through noise; what the
campaign delivered reflects it through other noise, diluted by fake followers and by how
well the audience fits a parenting brand (Littlenest, in rules/brands/littlenest.toml):

- observed ER  = base(platform, followers) * exp(0.45 q + 0.35 e1)
- delivered ER = base(platform, followers) * exp(0.45 q + 0.30 e2) * (1 - fake) * fit
- conversions  ~ Poisson(reach * delivered ER * 0.004 * fit), reach = followers * (1 - fake)
- would_book_again: 0.9 q + 2 (fit - 0.8) - 3 fake + 0.6 e3 > 0

`fit` is 1 for parenting creators, 0.85 for home/education, 0.7 for food/wellness, 0.5
otherwise. So the rules have something real to find (engagement against a benchmark,
niche fit, authenticity) and something they cannot (the noise). About 88 % of candidates
were booked and have an outcome row; a few booked creators have an empty cell; a few
outcome rows are for creators who are not in the candidate list.
"""

import csv
import math
import os
import random

SEED = 20240613
N = 320
OUT = os.path.join(os.path.dirname(__file__), "..", "examples", "campaign")

FIRST = ["mama", "papa", "little", "tiny", "busy", "cozy", "happy", "wild", "sunny", "calm",
         "nest", "family", "toddler", "baby", "kinder", "sprout", "acorn", "maple", "pebble", "honey"]
SECOND = ["days", "diaries", "life", "club", "home", "kitchen", "steps", "crew", "corner", "notes",
          "tales", "table", "garden", "world", "moments", "hands", "hearts", "lab", "talks", "path"]
NICHES = [("parenting", 1.0), ("parenting;home", 1.0), ("parenting;education", 1.0),
          ("home", 0.85), ("education", 0.85), ("food", 0.7), ("wellness", 0.7),
          ("beauty", 0.5), ("gaming", 0.5), ("travel", 0.5)]
NICHE_WEIGHTS = [22, 8, 6, 12, 8, 10, 8, 10, 8, 8]
COUNTRIES = ["US"] * 10 + ["GB"] * 4 + ["CA"] * 3 + ["AU"] * 2 + ["DE", "IN"]
PLATFORMS = ["instagram"] * 11 + ["tiktok"] * 5 + ["youtube"] * 4


def base_er(platform, followers):
    """The usual engagement rate on followers, falling with size (HypeAuditor-like)."""
    top = {"instagram": 0.045, "tiktok": 0.09, "youtube": 0.035}[platform]
    return top * (max(followers, 1000) / 1000) ** -0.18


def poisson(rng, lam):
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def main():
    rng = random.Random(SEED)
    os.makedirs(OUT, exist_ok=True)
    handles = set()
    creators = []
    while len(creators) < N:
        handle = f"{rng.choice(FIRST)}.{rng.choice(SECOND)}{rng.choice(['', '', str(rng.randint(1, 99))])}"
        if handle in handles:
            continue
        handles.add(handle)
        platform = rng.choice(PLATFORMS)
        followers = int(10 ** rng.uniform(2.9, 5.6))
        q = rng.gauss(0, 1)
        niches, fit = rng.choices(NICHES, weights=NICHE_WEIGHTS)[0]
        fake = min(0.6, max(0.01, rng.gauss(0.09 - 0.03 * q, 0.05)))
        base = base_er(platform, followers)
        observed = base * math.exp(0.45 * q + 0.35 * rng.gauss(0, 1))
        engagements = observed * followers
        comments = engagements * rng.uniform(0.02, 0.06)
        views = followers * rng.uniform(0.3, 1.6) if platform != "instagram" else None
        creators.append({
            "handle": handle,
            "platform": platform,
            "followers": followers,
            "following": int(10 ** rng.uniform(2.0, 3.6)),
            "posts": rng.randint(40, 1500),
            "avg_likes": round(engagements - comments, 1),
            "avg_comments": round(comments, 1),
            "avg_shares": "",
            "avg_views": round(views) if views else "",
            "niches": niches,
            "country": rng.choice(COUNTRIES),
            "fake_follower_pct": round(fake, 3),
            "cost_per_post": round(followers * rng.uniform(0.006, 0.016) + 20),
            "bio": f"{niches.split(';')[0]} stories from a {rng.choice(['busy', 'calm', 'loud', 'small'])} household",
            "_q": q, "_fit": fit, "_fake": fake, "_base": base,
        })
    with open(os.path.join(OUT, "candidates.csv"), "w", newline="") as f:
        fields = [k for k in creators[0] if not k.startswith("_")]
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(creators)

    outcomes = []
    for c in creators:
        if rng.random() > 0.88:  # not booked
            continue
        delivered = c["_base"] * math.exp(0.45 * c["_q"] + 0.30 * rng.gauss(0, 1)) * (1 - c["_fake"]) * c["_fit"]
        reach = c["followers"] * (1 - c["_fake"])
        conversions = poisson(rng, reach * delivered * 0.004 * c["_fit"])
        again = 0.9 * c["_q"] + 2 * (c["_fit"] - 0.8) - 3 * c["_fake"] + 0.6 * rng.gauss(0, 1) > 0
        row = {"platform": c["platform"], "handle": c["handle"],
               "delivered_er": round(delivered, 5), "conversions": conversions,
               "would_book_again": "yes" if again else "no"}
        if rng.random() < 0.02:  # the report never came back
            row["delivered_er"] = ""
        outcomes.append(row)
    for i in range(4):  # booked outside the list
        outcomes.append({"platform": "instagram", "handle": f"walkin.creator{i + 1}",
                         "delivered_er": round(rng.uniform(0.01, 0.05), 5),
                         "conversions": rng.randint(0, 30), "would_book_again": "no"})
    rng.shuffle(outcomes)
    with open(os.path.join(OUT, "outcomes.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(outcomes[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(outcomes)
    print(f"wrote {len(creators)} candidates and {len(outcomes)} outcome rows to {OUT}")


if __name__ == "__main__":
    main()
