"""Phoenix: an agar-style game for 2..8 seats that all move at once.

Rules card
----------
The field is the rectangle [0, maxX] x [0, maxY] of the map; x grows to the
right, y grows "up", angles are degrees with 0 = +x and 90 = +y.

- Each seat starts with one cell of mass 20 (map param ``start_mass``), on a
  circle around the centre (or at the map's ``starts``), heading for the centre.
  A cell's radius is 2 * sqrt(mass); its cruise speed is max(1, 30 / sqrt(mass))
  per turn, so big cells are slow.
- Every turn every playing seat sends a move: a list of actions, at most one per
  cell; ``[]`` is always legal and changes nothing. An action is
  ``{"childno": 2, "relativeangle": -30, "split": false, "pause": false, "ejectmass": false}``
  where only ``childno`` (the cell's index in your ``cells``, 0..n-1) is required:
    relativeangle  turn the cell's heading by -360..360 degrees (default 0);
    pause          the cell does not cruise this turn (a split boost still carries it);
    split          a cell of mass >= 20 splits into two halves; the new half is thrown
                   forward with a boost of 12 that shrinks by 20% a turn; ignored when
                   too light or when the seat already has 16 cells (``max_cells``);
    ejectmass      a cell of mass >= 20 throws 4 mass forward as a food pellet that
                   lands 20 beyond its edge; ignored when too light.
  Split cells take the next childnos. Unknown keys, wrong types, a childno you
  do not have, or two actions for one cell make the move illegal (with the reason).
- Then, in this order: every cell moves along its heading (and stops at the walls);
  cells eat the food whose centre lies inside them (heavier cells first); a cell of
  mass >= 120 (``virus_mass``) whose body covers a virus's centre bursts into up to 8
  equal pieces (never lighter than 10, never over ``max_cells``); a cell eats another
  seat's cell whose centre lies inside it when it is at least 1.25x heavier
  (``eat_ratio``); two cells of one seat merge the same way once neither has split
  in the last 40 turns.
- Food: each map pellet has mass 1 (``food_mass``); when eaten it grows back at
  once at a random place drawn from the match's seeded rng (``food_respawn``:
  false turns this off). Ejected pellets do not grow back. Viruses never move.
- A seat with no cells is out. The game ends when at most one seat still has
  cells, or after 1000 turns (``max_turns``; the engine's max_iters may end it
  sooner). Score = the total mass of a seat's cells (0 when out). Reward = the
  change of that score in the last turn. A removed (disqualified) seat's cells vanish.

Observation (everything is visible to everyone)::

    {"turn": 12, "you": 0,
     "cells":  [{"seat": 0, "childno": 0, "x": 101.5, "y": 80.0, "mass": 24.0, "radius": 9.8,
                 "angle": 30.0, "velocity": 6.12, "cooldown": 0}, ...],   # yours, by childno
     "others": [{"seat": 1, "childno": 0, ...same fields...}, ...],       # every other seat's cells
     "food":    [[x, y, mass], ...],
     "viruses": [[x, y], ...],
     "scores":  [24.0, 20.0]}

``velocity`` is the distance the cell moved last turn; ``cooldown`` the turns
until it may merge again. Numbers are rounded to 2 decimals. The map (with
``maxX``/``maxY``) is in the sky hello message. Schemas: ``schemas/map.json``,
``schemas/move.json`` next to this file.
"""
from .game import PhoenixGame, make_map
from .state import PhoenixState

__all__ = ["PhoenixGame", "PhoenixState", "make_map"]
