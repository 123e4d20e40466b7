"""Prints a summit plan (the schedule instance format) of summit scale for the fault script: 8 rooms,
8 slots over two days, 40 sessions, 120 attendees with ranked wishes and access needs. Seeded, so every
run plans the same summit."""
import json
import random

rng = random.Random(7)
days = ["2026-09-12", "2026-09-13"]
times = [("10:00", "11:30"), ("12:00", "13:00"), ("14:00", "15:30"), ("16:00", "17:30")]
slots = [{"id": f"d{d}-{i}", "day": day, "start": s, "end": e} for d, day in enumerate(days) for i, (s, e) in enumerate(times)]
rooms = [{"id": f"room-{r}", "capacity": rng.choice([20, 30, 40, 60]),
          "features": ["step_free"] + (["hearing_loop"] if r % 2 else [])} for r in range(8)]
themes = ["climate", "work", "housing", "borders", "leadership"]
sessions = [{"id": f"w{n:02}", "title": f"Workshop {n}", "theme": themes[n % len(themes)], "length": 1,
             "plenary": False, "facilitators": [f"p{n % 30:02}"], "requires": []} for n in range(40)]
attendees = [{"id": f"a{n:03}", "wishes": rng.sample([s["id"] for s in sessions], 4),
              "needs": ["step_free"] if n % 10 == 0 else [], "unavailable": []} for n in range(120)]
print(json.dumps({"timezone": "Europe/London", "slots": slots, "rooms": rooms, "sessions": sessions,
                  "people": [{"id": f"p{n:02}", "unavailable": []} for n in range(30)], "attendees": attendees, "pinned": []}))
