"""Procedural world for moonwalk-tiny: scenes, subjects, motions and the prompt grammar.

Everything is a pure function of a scene spec and an absolute world time, so clips can be sampled
at any frame stride and any start time without simulating the frames in between.
"""
from dataclasses import dataclass, field
import math
import random

import numpy as np

SIZE = 64
HORIZON = 40  # rows 0..39 sky, 40..63 ground
FPS = 8

PALETTE = {
    "red": (220, 40, 40), "green": (20, 230, 90), "blue": (50, 90, 230), "yellow": (240, 210, 40),
    "white": (240, 240, 240), "orange": (250, 140, 30), "pink": (240, 120, 200), "purple": (140, 60, 200),
}
BACKGROUNDS = {
    # name: (sky colour, ground colour or None)
    "moon": ((10, 10, 20), (128, 128, 128)),
    "beach": ((110, 170, 230), (220, 200, 120)),
    "grass": ((150, 200, 250), (70, 130, 50)),
    "space": ((5, 5, 15), None),
}
STAR = (170, 170, 180)
CRATER = (96, 96, 100)
SEA = (30, 60, 140)
SHIP = (200, 200, 210)
DOOR = (255, 220, 80)
FLAME = (255, 110, 110)
SUBJECTS = ("dog", "ball", "cube", "rocket")
MOTIONS = ("left", "right", "bounce", "up", "still", "walk")  # walk: moving, direction unspecified


@dataclass
class Scene:
    background: str
    subject: str
    colour: str
    motion: str
    from_ship: bool = False
    speed: float = 1.0
    x0: float = 32.0
    ship_x: float = 16.0
    seed: int = 0
    direction: int = 1  # resolved direction for left/right/walk motions
    stars: list = field(default_factory=list)
    craters: list = field(default_factory=list)


def place_phrase(background, rng):
    return rng.choice({
        "moon": ["on the moon"],
        "beach": ["on the beach", "at the beach"],
        "grass": ["on the grass", "in a field", "on a meadow"],
        "space": ["in space", "in outer space"],
    }[background])


def subject_word(subject, rng):
    return rng.choice({"dog": ["dog", "puppy"], "ball": ["ball"], "cube": ["cube", "box"], "rocket": ["rocket"]}[subject])


def motion_phrase(subject, motion, rng):
    if motion in ("left", "right"):
        verbs = {"dog": ["walking", "moving", "going", "running"], "ball": ["rolling", "moving", "going"],
                 "cube": ["sliding", "moving", "going"], "rocket": ["flying", "moving", "going"]}[subject]
        side = rng.choice([motion, "to the " + motion])
        return f"{rng.choice(verbs)} {side}"
    if motion == "walk":
        return rng.choice({"dog": ["walking", "moving", "going"], "ball": ["rolling", "moving"],
                           "cube": ["sliding", "moving"], "rocket": ["moving", "flying"]}[subject])
    if motion == "bounce":
        return rng.choice(["bouncing", "jumping"])
    if motion == "up":
        return rng.choice(["flying up", "taking off", "launching"])
    return rng.choice(["standing still", "resting", "sitting still"])


def allowed_motions(subject, from_ship):
    if from_ship:
        return ["walk", "left", "right"]
    return {"dog": ["left", "right", "walk", "bounce", "still"], "ball": ["left", "right", "walk", "bounce", "still"],
            "cube": ["left", "right", "walk", "bounce", "still"], "rocket": ["up", "left", "right", "still"]}[subject]


def prompt_for(scene, rng):
    """Text for a scene; several phrasings per scene so synonyms share meaning."""
    s = scene
    if s.subject == "dog" and s.colour == "blue" and rng.random() < 0.3:
        head = "bluey"
    else:
        head = f"a {s.colour} {subject_word(s.subject, rng)}"
    text = f"{head} {motion_phrase(s.subject, s.motion, rng)} {place_phrase(s.background, rng)}"
    if s.from_ship:
        text += " after coming out of the spaceship"
    return text


def random_scene(rng, background=None, subject=None, colour=None, motion=None, from_ship=None):
    background = background or rng.choice(list(BACKGROUNDS))
    subject = subject or rng.choice(SUBJECTS)
    colour = colour or rng.choice(list(PALETTE))
    if from_ship is None:
        from_ship = subject != "rocket" and background != "space" and rng.random() < 0.25
    motion = motion or rng.choice(allowed_motions(subject, from_ship))
    scene = Scene(background, subject, colour, motion, from_ship, seed=rng.randrange(1 << 30))
    scene.speed = rng.uniform(0.5, 1.4)
    scene.x0 = rng.uniform(6, SIZE - 6)
    scene.ship_x = rng.choice([rng.uniform(12, 20), rng.uniform(44, 52)])
    if motion == "left":
        scene.direction = -1
    elif motion == "right":
        scene.direction = 1
    elif from_ship:
        scene.direction = 1 if scene.ship_x < 32 else -1
    else:
        scene.direction = rng.choice([-1, 1])
    if from_ship:
        # walking away from the ship: the requested direction decides which side the ship stands on
        scene.ship_x = rng.uniform(12, 20) if scene.direction > 0 else rng.uniform(44, 52)
        scene.x0 = scene.ship_x
    srng = random.Random(scene.seed)
    scene.stars = [(srng.randrange(0, SIZE), srng.randrange(0, HORIZON if background != "space" else SIZE))
                   for _ in range(srng.randint(8, 18))] if background in ("moon", "space") else []
    scene.craters = [(srng.uniform(0, SIZE), srng.uniform(HORIZON + 4, SIZE - 3), srng.uniform(2.5, 5))
                     for _ in range(srng.randint(2, 4))] if background == "moon" else []
    return scene


_yy, _xx = np.mgrid[0:SIZE, 0:SIZE]


def _fill_rect(img, x0, y0, x1, y1, colour):
    x0, y0, x1, y1 = int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
    img[max(y0, 0):max(min(y1, SIZE), 0), max(x0, 0):max(min(x1, SIZE), 0)] = colour


def _wrapped_xs(x, half):
    # a subject leaving one side re-enters on the other; draw both copies near the edge
    xs = [x]
    if x - half < 0:
        xs.append(x + SIZE + 2 * half)
    if x + half > SIZE:
        xs.append(x - SIZE - 2 * half)
    return xs


def background_frame(scene):
    sky, ground = BACKGROUNDS[scene.background]
    img = np.empty((SIZE, SIZE, 3), np.uint8)
    img[:] = sky
    if ground is not None:
        img[HORIZON:] = ground
        if scene.background == "beach":
            img[HORIZON - 4:HORIZON] = SEA
    for (cx, cy, r) in scene.craters:
        m = ((_xx - cx) / r) ** 2 + ((_yy - cy) / (r * 0.5)) ** 2 <= 1
        img[m] = CRATER
    for (x, y) in scene.stars:
        img[y, x] = STAR
    return img


def draw_ship(img, x):
    base = HORIZON + 6
    m = ((_xx - x) / 14.0) ** 2 + ((_yy - base) / 17.0) ** 2 <= 1
    m &= _yy <= base
    img[m] = SHIP
    _fill_rect(img, x - 3, base - 10, x + 3, base + 1, DOOR)


def subject_state(scene, t):
    """(x, y_bottom, leg_phase) of the subject at world time t (frames at 8 fps)."""
    ground_y = HORIZON + 12 if scene.background != "space" else 38
    span = SIZE + 16
    x, y = scene.x0, float(ground_y)
    if scene.motion in ("left", "right", "walk"):
        x = scene.x0 + scene.direction * scene.speed * t
        x = (x + 8) % span - 8
    elif scene.motion == "bounce":
        y = ground_y - 14 * abs(math.sin(t * 0.35 * scene.speed))
    elif scene.motion == "up":
        # wraps from the top back to the bottom; the rocket's top stays inside the frame
        y = 18 + (ground_y - 18 - scene.speed * 0.7 * t) % 60
    phase = int(t // 2) % 2 if scene.motion in ("left", "right", "walk") else 0
    return x, y, phase


def draw_subject(img, scene, t):
    x, yb, phase = subject_state(scene, t)
    c = PALETTE[scene.colour]
    dark = tuple(int(v * 0.65) for v in c)
    light = tuple(min(255, int(v * 0.6 + 100)) for v in c)
    d = scene.direction
    for xc in _wrapped_xs(x, 8):
        if scene.subject == "dog":
            _fill_rect(img, xc - 5, yb - 8, xc + 4, yb - 3, c)  # body
            hx = xc + 3 if d > 0 else xc - 7
            _fill_rect(img, hx, yb - 11, hx + 4, yb - 6, c)  # head
            _fill_rect(img, hx + (0 if d > 0 else 3), yb - 13, hx + (1 if d > 0 else 4), yb - 11, dark)  # ear
            tx = xc - 6 if d > 0 else xc + 4
            _fill_rect(img, tx, yb - 10, tx + 2, yb - 8, c)  # tail
            legs = (-4, 2) if phase == 0 else (-2, 0)
            for lx in legs:
                _fill_rect(img, xc + lx, yb - 3, xc + lx + 2, yb, c)
            for lx in ((-3, 1) if phase == 0 else (-5, 3)):
                _fill_rect(img, xc + lx, yb - 3, xc + lx + 1, yb - 1, dark)
        elif scene.subject == "ball":
            m = (_xx - xc) ** 2 + (_yy - (yb - 5.5)) ** 2 <= 5.5 ** 2
            img[m] = c
            _fill_rect(img, xc - 2, yb - 9, xc, yb - 7, light)
        elif scene.subject == "cube":
            _fill_rect(img, xc - 5, yb - 10, xc + 5, yb, c)
            _fill_rect(img, xc - 5, yb - 10, xc + 5, yb - 8, light)
        else:  # rocket
            _fill_rect(img, xc - 3, yb - 12, xc + 3, yb - 2, c)
            for k in range(3):
                _fill_rect(img, xc - 2 + k, yb - 15 + k, xc + 2 - k, yb - 14 + k, c)
            _fill_rect(img, xc - 4, yb - 4, xc - 3, yb, dark)
            _fill_rect(img, xc + 3, yb - 4, xc + 4, yb, dark)
            _fill_rect(img, xc - 1, yb - 2, xc + 1, yb + 1, FLAME)


def render_frame(scene, t, bg=None):
    img = (bg if bg is not None else background_frame(scene)).copy()
    if scene.from_ship:
        draw_ship(img, scene.ship_x)
    draw_subject(img, scene, t)
    return img


def render_clip(scene, frames, stride=1, t0=0.0):
    bg = background_frame(scene)
    return np.stack([render_frame(scene, t0 + k * stride, bg) for k in range(frames)])


def sample_scene_and_prompt(rng):
    scene = random_scene(rng)
    return scene, prompt_for(scene, rng)


def vocabulary():
    words = set()
    for phrase_list in (["on the moon", "on the beach", "at the beach", "on the grass", "in a field", "on a meadow",
                         "in space", "in outer space", "after coming out of the spaceship", "bluey a",
                         "walking moving going running rolling sliding flying left right to the",
                         "bouncing jumping flying up taking off launching standing still resting sitting",
                         "dog puppy ball cube box rocket"] + list(PALETTE)):
        words.update(phrase_list.split())
    return ["<pad>", "<unk>"] + sorted(words)


def evaluation_prompts(count=64, seed=20261125):
    """A fixed list of (scene, prompt) pairs used by every quality measurement."""
    rng = random.Random(seed)
    return [sample_scene_and_prompt(rng) for _ in range(count)]


if __name__ == "__main__":
    import sys
    rng = random.Random(1)
    for _ in range(12):
        sc, p = sample_scene_and_prompt(rng)
        print(p)
    print(len(vocabulary()), "words")
