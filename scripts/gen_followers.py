#!/usr/bin/env python3
"""Writes N synthetic follower rows (CSV) for `scout audit` speed runs:
python3 scripts/gen_followers.py 1000000 > target/followers-1000000.csv

1,000 influencers; about one follower in six looks fake (no posts, no picture, following
far more accounts than follow back). Seeded, so every run writes the same file."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = random.Random(14)
out = sys.stdout
out.write("influencer,username,followers,following,posts,has_profile_pic,bio_length\n")
for i in range(n):
    influencer = f"creator{i % 1000}"
    if rng.random() < 0.16:
        followers = rng.randint(0, 60)
        following = rng.randint(300, 7500)
        posts = 0 if rng.random() < 0.6 else rng.randint(1, 5)
        pic = 0 if rng.random() < 0.4 else 1
        bio = 0 if rng.random() < 0.75 else rng.randint(1, 40)
        name = f"user{rng.randint(1000, 99999999)}"
    else:
        followers = rng.randint(50, 3000)
        following = max(0, int(followers * rng.uniform(0.4, 2.0)))
        posts = rng.randint(1, 600)
        pic = 1 if rng.random() < 0.98 else 0
        bio = 0 if rng.random() < 0.38 else rng.randint(1, 150)
        name = f"{rng.choice(['ana', 'ben', 'cleo', 'dev', 'eli', 'fay'])}.{rng.randint(1, 999)}"
    out.write(f"{influencer},{name},{followers},{following},{posts},{pic},{bio}\n")
