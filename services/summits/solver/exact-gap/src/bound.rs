//! A lower bound on lost wishes strong enough at summit scale, by column generation over what
//! runs in each slot (the MIP's own bound stays near zero there: its relaxation spreads sessions
//! thinly over all slots).
//!
//! An item is a session with a start; a column is the set of items running in one slot. Every
//! agenda gives one column per slot, in which the items fit distinct rooms, share no facilitator,
//! and a plenary is alone. With each item weighing `1/length` in each of its slots, attendee `a`
//! loses at least `Σ_slots (Σ weights of their wished items there − the largest weight of one
//! they can attend)`: exact for one-slot sessions, half a wish short when a two-slot session
//! clashes with a one-slot wish in only one of its slots. For attendees with exactly one
//! multi-slot wish, lasting two slots, a correction `e ≥ ½ |S_first − S_second|` restores the
//! exact count, where `S` says whether the column of that slot holds an attendable one-slot wish.
//!
//! The master LP picks a convex combination of columns per slot, places each session once, keeps
//! a multi-slot item the same in all its slots and charges the corrections; pricing finds the
//! best column of each slot with a small MIP. For any duals `π` feasible for the corrections,
//! `Σ_sessions π + Σ_slots min_column (cost − what it earns under π)` is a lower bound
//! (Lagrangian), valid even when pricing stops early (its own bound is used then). Duals are
//! smoothed towards the best so far (Wentges), which tames the master's degeneracy.
//!
//! Whenever the column generation converges, subset-row cuts are added: for three one-slot
//! sessions, at most one slot holds two of them, so `Σ_columns [two of them] ≤ 1`, which LP
//! solutions running each pair together half the time violate. A cut's dual is charged in pricing
//! through one variable per cut, and the slots are priced on `--threads` threads.

use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::time::{Duration, Instant};

use highs::{Col, ColProblem, HighsModelStatus, Row, RowProblem, Sense};

use crate::mip::Settings;
use crate::model::Model;

/// Weight of the best duals so far in the duals priced.
const SMOOTHING: f64 = 0.7;
/// Most subset-row cuts added at once.
const CUTS_PER_ROUND: usize = 20;
/// Most subset-row cuts in a node's master.
const MAX_CUTS: usize = 300;
/// Longest a single pricing MIP may run.
const PRICING_LIMIT: Duration = Duration::from_secs(20);

/// The result of column generation.
pub struct Bound {
    /// The best agenda among the columns (by their charged lost wishes): each session's first
    /// slot. Rooms for it may not exist (columns fit rooms slot by slot).
    pub starts: Vec<usize>,
    pub time: Duration,
    /// The root of the branch and price, with the bound and whether it converged.
    pub root: Node,
}

/// A session with a start: the unit columns are made of.
struct Item {
    session: usize,
    start: usize,
    length: usize,
    wishers: usize,
}

impl Item {
    fn runs(&self, slot: usize) -> bool {
        (self.start..self.start + self.length).contains(&slot)
    }

    fn weight(&self) -> f64 {
        1.0 / self.length as f64
    }
}

/// The items running in one slot and what they cost there.
#[derive(Clone)]
pub struct Column {
    slot: usize,
    items: Vec<usize>,
    cost: f64,
}

/// The master's rows, numbered: one per slot (a column each), one per session (placed once), one
/// per multi-slot item and later slot (running there as much as in its first slot), and two per
/// correction (`e − ½ S_first + ½ S_second ≥ 0` and its mirror).
struct Rows {
    slots: usize,
    sessions: usize,
    /// Per item, the number of the row for its second slot, if any.
    later: Vec<usize>,
    /// Per item, the attendees corrected for it, with the number of their first row.
    corrections: Vec<Vec<(usize, usize)>>,
    first_correction: usize,
    count: usize,
}

impl Rows {
    fn new(model: &Model, items: &[Item]) -> Rows {
        let mut count = model.slots + model.sessions();
        let mut later = Vec::new();
        for item in items {
            later.push(count);
            count += item.length - 1;
        }
        let first_correction = count;
        let corrected: Vec<Option<usize>> = model
            .wishes
            .iter()
            .map(|wishes| {
                let long: Vec<usize> = wishes.iter().copied().filter(|&s| model.length[s] > 1).collect();
                (long.len() == 1 && model.length[long[0]] == 2).then(|| long[0])
            })
            .collect();
        let corrections = items
            .iter()
            .map(|item| {
                (0..model.wishes.len())
                    .filter(|&a| corrected[a] == Some(item.session) && attendable(model, a, item))
                    .map(|a| {
                        count += 2;
                        (a, count - 2)
                    })
                    .collect()
            })
            .collect();
        Rows {
            slots: model.slots,
            sessions: model.sessions(),
            later,
            corrections,
            first_correction,
            count,
        }
    }

    /// The right-hand side of a row: `= 1`, `= 0`, or `≥ 0` for corrections.
    fn value(&self, row: usize) -> f64 {
        if row < self.slots + self.sessions {
            1.0
        } else {
            0.0
        }
    }

    /// The rows (with coefficients) of item `i` running in slot `u`, apart from corrections.
    fn of_item(&self, items: &[Item], i: usize, u: usize) -> Vec<(usize, f64)> {
        let item = &items[i];
        let later = (0..item.length - 1).map(|k| self.later[i] + k);
        if u == item.start {
            std::iter::once((self.slots + item.session, 1.0))
                .chain(later.map(|row| (row, -1.0)))
                .collect()
        } else {
            vec![(self.later[i] + u - item.start - 1, 1.0)]
        }
    }

    /// The correction rows (with coefficients) of item `i` in slot `u` beside an attendable
    /// one-slot wish of the attendee whose first row is `row`.
    fn of_correction(&self, items: &[Item], i: usize, u: usize, row: usize) -> [(usize, f64); 2] {
        let sign = if u == items[i].start { -0.5 } else { 0.5 };
        [(row, sign), (row + 1, -sign)]
    }

    /// Every row of `column` but its slot's, with coefficients.
    fn of_column(&self, model: &Model, items: &[Item], column: &Column) -> Vec<(usize, f64)> {
        let u = column.slot;
        let mut entries = Vec::new();
        for &i in &column.items {
            entries.extend(self.of_item(items, i, u));
            for &(a, row) in &self.corrections[i] {
                let beside = column
                    .items
                    .iter()
                    .any(|&j| items[j].length == 1 && model.wishes[a].contains(&items[j].session));
                if beside && !model.away[a][u] {
                    entries.extend(self.of_correction(items, i, u, row));
                }
            }
        }
        entries
    }
}

fn dot(entries: &[(usize, f64)], pi: &[f64]) -> f64 {
    entries.iter().map(|&(row, factor)| factor * pi[row]).sum()
}

/// What `column` earns under `pi` in every row but its slot's, cuts (numbered after the rows)
/// included.
fn earnings(model: &Model, rows: &Rows, items: &[Item], cuts: &[Cut], column: &Column, pi: &[f64]) -> f64 {
    let cut_duals = &pi[rows.count..];
    dot(&rows.of_column(model, items, column), pi)
        + cuts
            .iter()
            .zip(cut_duals)
            .filter(|(cut, _)| in_cut(items, column, cut))
            .map(|(_, dual)| dual)
            .sum::<f64>()
}

/// The items and rows of the master: what every node of the branch and price (`branch`) shares.
pub struct Relaxation<'a> {
    model: &'a Model,
    items: Vec<Item>,
    rows: Rows,
}

/// Column generation over the items one node allows.
pub struct Node {
    /// The best Lagrangian lower bound on lost wishes (at least the parent's).
    pub bound: f64,
    /// Whether it reached the master LP's optimum (or proved the target).
    pub converged: bool,
    columns: Vec<Column>,
    /// Per column, its share in the master's LP solution.
    shares: Vec<f64>,
    /// The subset-row cuts found so far (valid at every node: children inherit them).
    pub cuts: Vec<Cut>,
}

/// What a node's column generation starts from: columns to price against, and the cuts found so
/// far (valid at every node).
pub struct Start {
    columns: Vec<Column>,
    cuts: Vec<Cut>,
}

/// Three one-slot sessions of which at most one slot holds two or more: the master's row
/// `Σ_columns [the column holds two of them] ≤ 1` (a subset-row cut), which takes away LP
/// solutions that run each pair together half the time.
pub type Cut = [usize; 3];

/// Whether `column` holds two or more of the sessions of `cut` (its coefficient in the cut's row).
fn in_cut(items: &[Item], column: &Column, cut: &Cut) -> bool {
    column
        .items
        .iter()
        .filter(|&&i| items[i].length == 1 && cut.contains(&items[i].session))
        .count()
        >= 2
}

/// What a node of the branch and price allows.
#[derive(Clone)]
pub struct Allowed {
    /// Per item, whether it may be placed.
    items: Vec<bool>,
    /// Pairs of one-slot sessions that run in the same slot.
    together: Vec<(usize, usize)>,
    /// Pairs of sessions that never run in the same slot.
    apart: Vec<(usize, usize)>,
}

impl Allowed {
    fn admits(&self, items: &[Item], column: &Column) -> bool {
        let holds = |s: usize| column.items.iter().any(|&i| items[i].session == s);
        column.items.iter().all(|&i| self.items[i])
            && self.together.iter().all(|&(s, t)| holds(s) == holds(t))
            && self.apart.iter().all(|&(s, t)| !(holds(s) && holds(t)))
    }
}

impl<'a> Relaxation<'a> {
    pub fn new(model: &'a Model) -> Self {
        assert!(
            model.rooms <= 16,
            "pricing lists every set of rooms: at most 16 rooms"
        );
        let items: Vec<Item> = (0..model.sessions())
            .flat_map(|s| {
                let wishers = model.wishes.iter().filter(|w| w.contains(&s)).count();
                model.starts[s].iter().map(move |&t| Item {
                    session: s,
                    start: t,
                    length: model.length[s],
                    wishers,
                })
            })
            .collect();
        let rows = Rows::new(model, &items);
        Relaxation { model, items, rows }
    }

    /// Everything allowed: the root of the branch and price.
    pub fn everything(&self) -> Allowed {
        Allowed {
            items: vec![true; self.items.len()],
            together: Vec::new(),
            apart: Vec::new(),
        }
    }

    /// The two children of `node` (allowing `allowed`) that split its LP solution, if it is
    /// fractional. Preferably on a pair of one-slot sessions sharing wishers that the solution runs
    /// together only in part: in the same slot, or never (which slots are alike does not matter,
    /// so the split cannot just move to another slot). Else on an item placed in part: the
    /// session starts as it does, or elsewhere.
    pub fn children(&self, node: &Node, allowed: &Allowed) -> Option<[Allowed; 2]> {
        let (model, items) = (self.model, &self.items[..]);
        let sessions = model.sessions();
        let mut together = vec![0.0; sessions * sessions];
        let mut usage = vec![0.0; items.len()];
        for (column, &share) in node
            .columns
            .iter()
            .zip(&node.shares)
            .filter(|(_, &share)| share > 1e-9)
        {
            for &i in column.items.iter().filter(|&&i| items[i].start == column.slot) {
                usage[i] += share;
                for &j in column.items.iter().filter(|&&j| items[j].start == column.slot) {
                    together[items[i].session * sessions + items[j].session] += share;
                }
            }
        }
        let part = |v: f64| {
            if v > 1e-6 && v < 1.0 - 1e-6 {
                v.min(1.0 - v)
            } else {
                0.0
            }
        };
        let shared = |s: usize, t: usize| {
            model
                .wishes
                .iter()
                .filter(|w| w.contains(&s) && w.contains(&t))
                .count()
        };
        let pair = (0..sessions)
            .flat_map(|s| (s + 1..sessions).map(move |t| (s, t)))
            .filter(|&(s, t)| model.length[s] == 1 && model.length[t] == 1)
            .map(|(s, t)| (part(together[s * sessions + t]) * shared(s, t) as f64, s, t))
            .filter(|&(score, _, _)| score > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, s, t)) = pair {
            let mut with = allowed.clone();
            with.together.push((s, t));
            let mut without = allowed.clone();
            without.apart.push((s, t));
            return Some([without, with]);
        }
        let i = (0..items.len())
            .filter(|&i| part(usage[i]) > 0.0)
            .max_by(|&i, &j| part(usage[i]).total_cmp(&part(usage[j])))?;
        let mut fixed = allowed.clone();
        for j in (0..items.len()).filter(|&j| j != i && items[j].session == items[i].session) {
            fixed.items[j] = false;
        }
        let mut elsewhere = allowed.clone();
        elsewhere.items[i] = false;
        Some([elsewhere, fixed])
    }

    /// A child's start: the columns of `node` that `allowed` admits, and its cuts.
    pub fn start_within(&self, node: &Node, allowed: &Allowed) -> Start {
        Start {
            columns: node
                .columns
                .iter()
                .filter(|column| allowed.admits(&self.items, column))
                .cloned()
                .collect(),
            cuts: node.cuts.clone(),
        }
    }

    /// One column per slot of each of `agendas` (feasible agendas: each session's first slot).
    fn agenda_columns(&self, agendas: &[Vec<usize>]) -> Vec<Column> {
        let items = &self.items;
        agendas
            .iter()
            .flat_map(|starts| {
                (0..self.model.slots).map(move |u| {
                    let chosen = (0..items.len())
                        .filter(|&i| items[i].start == starts[items[i].session] && items[i].runs(u))
                        .collect();
                    column(self.model, items, u, chosen)
                })
            })
            .collect()
    }

    /// Column generation from `start` over what is `allowed`, starting from a bound `floor` (the
    /// parent's), until the master converges with no cut left to add, the bound proves `target`
    /// lost wishes, or `deadline` passes.
    pub fn generate(
        &self,
        allowed: &Allowed,
        start: Start,
        floor: f64,
        target: u32,
        deadline: Instant,
        settings: &Settings,
    ) -> Node {
        let (model, rows, items) = (self.model, &self.rows, &self.items[..]);
        let Start {
            mut columns,
            mut cuts,
        } = start;
        let started = Instant::now();
        let (mut best, mut center): (f64, Option<Vec<f64>>) = (floor, None);
        loop {
            let (value, duals, shares) = master(model, rows, items, &columns, &cuts);
            let smoothed: Vec<f64> = match &center {
                Some(center) => center
                    .iter()
                    .zip(&duals)
                    .map(|(c, d)| SMOOTHING * c + (1.0 - SMOOTHING) * d)
                    .collect(),
                None => duals.clone(),
            };
            // Cuts are rows `≤ 1` after the master's own.
            let mut bound: f64 = (0..rows.count)
                .map(|row| rows.value(row) * smoothed[row])
                .sum::<f64>()
                + smoothed[rows.count..].iter().sum::<f64>();
            // A correction e in [0, ½] costs 1 and earns the duals of its two rows.
            for &(_, row) in rows.corrections.iter().flatten() {
                bound += 0.5 * (1.0 - smoothed[row] - smoothed[row + 1]).min(0.0);
            }
            let mut added = 0;
            let left = deadline
                .saturating_duration_since(Instant::now())
                .min(PRICING_LIMIT);
            for (u, (found, least)) in self.price_slots(allowed, &cuts, &smoothed, left, settings.threads) {
                bound += least - smoothed[u];
                // The same sessions in every other slot are often good columns too.
                for copy in (0..model.slots).filter_map(|v| moved(model, items, &allowed.items, &found, v)) {
                    let reduced =
                        copy.cost - duals[copy.slot] - earnings(model, rows, items, &cuts, &copy, &duals);
                    if reduced < -1e-6 {
                        columns.push(copy);
                        added += 1;
                    }
                }
            }
            if bound > best {
                best = bound;
                center = Some(smoothed.clone());
            }
            let converged = integral(best) >= integral(value) || integral(best) >= f64::from(target);
            if settings.verbose {
                eprintln!(
                    "column generation: {:.1} s, {} columns, {} cuts, master {value:.3}, bound {bound:.3}, best {best:.3}",
                    started.elapsed().as_secs_f64(),
                    columns.len(),
                    cuts.len()
                );
            }
            let open = integral(best) < f64::from(target) && Instant::now() < deadline;
            if converged && open && cuts.len() < MAX_CUTS {
                let violated = self.violated_cuts(&columns, &shares, &cuts);
                if !violated.is_empty() {
                    cuts.extend(violated);
                    center = None;
                    continue;
                }
            }
            if converged || Instant::now() >= deadline {
                return Node {
                    bound: best,
                    converged,
                    columns,
                    shares,
                    cuts,
                };
            }
            if added == 0 {
                // Nothing improves the master at the smoothed duals: price at the master's own next.
                center = None;
            }
        }
    }

    /// Each slot's best column under `pi` and a lower bound on its value (`price`), the slots
    /// shared out among `threads` threads.
    fn price_slots(
        &self,
        allowed: &Allowed,
        cuts: &[Cut],
        pi: &[f64],
        time_limit: Duration,
        threads: i32,
    ) -> Vec<(usize, (Column, f64))> {
        let next = AtomicUsize::new(0);
        let mut priced: Vec<(usize, (Column, f64))> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads.max(1))
                .map(|_| {
                    scope.spawn(|| {
                        std::iter::from_fn(|| {
                            let u = next.fetch_add(1, AtomicOrdering::Relaxed);
                            (u < self.model.slots).then(|| (u, price(self, allowed, cuts, pi, u, time_limit)))
                        })
                        .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| worker.join().expect("pricing does not panic"))
                .collect()
        });
        priced.sort_by_key(|&(u, _)| u);
        priced
    }

    /// The subset-row cuts that the LP solution (`shares` of `columns`) violates most, not
    /// among `cuts` yet: at most `CUTS_PER_ROUND`.
    fn violated_cuts(&self, columns: &[Column], shares: &[f64], cuts: &[Cut]) -> Vec<Cut> {
        let (model, items) = (self.model, &self.items[..]);
        let single: Vec<usize> = (0..model.sessions()).filter(|&s| model.length[s] == 1).collect();
        let used: Vec<(Vec<bool>, f64)> = columns
            .iter()
            .zip(shares)
            .filter(|(_, &share)| share > 1e-9)
            .map(|(column, &share)| {
                let mut holds = vec![false; model.sessions()];
                for &i in &column.items {
                    holds[items[i].session] = true;
                }
                (holds, share)
            })
            .collect();
        let mut violated: Vec<(f64, Cut)> = Vec::new();
        for (a, &s) in single.iter().enumerate() {
            for (b, &t) in single.iter().enumerate().skip(a + 1) {
                for &r in &single[b + 1..] {
                    let lhs: f64 = used
                        .iter()
                        .filter(|(holds, _)| {
                            usize::from(holds[s]) + usize::from(holds[t]) + usize::from(holds[r]) >= 2
                        })
                        .map(|(_, share)| share)
                        .sum();
                    if lhs > 1.0 + 1e-4 && !cuts.contains(&[s, t, r]) {
                        violated.push((lhs, [s, t, r]));
                    }
                }
            }
        }
        violated.sort_by(|x, y| y.0.total_cmp(&x.0));
        violated
            .into_iter()
            .take(CUTS_PER_ROUND)
            .map(|(_, cut)| cut)
            .collect()
    }

    /// The best agenda's starts among the columns (price and branch): each session's first slot,
    /// `usize::MAX` for a session no chosen column places.
    fn best_agenda(&self, columns: &[Column], cuts: &[Cut], settings: &Settings) -> Vec<usize> {
        let (model, rows, items) = (self.model, &self.rows, &self.items[..]);
        let mut highs = master_problem(model, rows, items, columns, cuts, true).optimise(Sense::Minimise);
        highs.set_option("time_limit", settings.time_limit.as_secs_f64());
        highs.set_option("threads", settings.threads);
        let solved = highs.solve();
        let values = solved.get_solution().columns().to_vec();
        let mut starts = vec![usize::MAX; rows.sessions];
        for (column, _) in columns.iter().zip(values).filter(|&(_, v)| v > 0.5) {
            for &i in column.items.iter().filter(|&&i| items[i].start == column.slot) {
                starts[items[i].session] = items[i].start;
            }
        }
        starts
    }
}

/// A bound as a whole number of lost wishes (what it proves). Only a bound clearly above a whole
/// number proves the next one: the LPs and pricing MIPs are solved to tolerances near 1e-7, so
/// their bound can err by far less than `MARGIN` but more than a rounding error.
pub fn integral(value: f64) -> f64 {
    (value - MARGIN).ceil()
}

/// How far above a whole number a bound must be to prove the next.
const MARGIN: f64 = 1e-3;

/// The lower bound at the root, from the columns of `agendas` (feasible agendas: each session's
/// first slot), stopping when `settings.time_limit` is spent or the bound proves `target` lost
/// wishes.
pub fn lower_bound(
    relaxation: &Relaxation,
    agendas: &[Vec<usize>],
    target: u32,
    settings: &Settings,
) -> Bound {
    let started = Instant::now();
    let root = relaxation.generate(
        &relaxation.everything(),
        Start {
            columns: relaxation.agenda_columns(agendas),
            cuts: Vec::new(),
        },
        f64::NEG_INFINITY,
        target,
        started + settings.time_limit,
        settings,
    );
    Bound {
        starts: relaxation.best_agenda(&root.columns, &root.cuts, settings),
        time: started.elapsed(),
        root,
    }
}

/// `column` with its items starting as much later (or earlier) as slot `v` is after its slot, if
/// they all can.
fn moved(model: &Model, items: &[Item], allowed: &[bool], column: &Column, v: usize) -> Option<Column> {
    let chosen = column
        .items
        .iter()
        .map(|&i| {
            let start = (items[i].start + v).checked_sub(column.slot)?;
            (0..items.len())
                .find(|&j| allowed[j] && items[j].session == items[i].session && items[j].start == start)
        })
        .collect::<Option<Vec<usize>>>()?;
    Some(self::column(model, items, v, chosen))
}

/// Whether attendee `a` can attend `item` (not away in any of its slots).
fn attendable(model: &Model, a: usize, item: &Item) -> bool {
    !(item.start..item.start + item.length).any(|u| model.away[a][u])
}

/// The column of `chosen` items in slot `u`, with the lost wishes charged to it.
fn column(model: &Model, items: &[Item], u: usize, chosen: Vec<usize>) -> Column {
    let cost = model
        .wishes
        .iter()
        .enumerate()
        .map(|(a, wishes)| {
            let wished = chosen
                .iter()
                .map(|&i| &items[i])
                .filter(|i| wishes.contains(&i.session));
            let total: f64 = wished.clone().map(Item::weight).sum();
            let kept = wished
                .filter(|i| attendable(model, a, i))
                .map(Item::weight)
                .fold(0.0, f64::max);
            total - kept
        })
        .sum();
    Column {
        slot: u,
        items: chosen,
        cost,
    }
}

/// The master over `columns` (integral or not), the corrections, an empty column per slot and a
/// costly stand-in placement per session.
fn master_problem(
    model: &Model,
    rows: &Rows,
    items: &[Item],
    columns: &[Column],
    cuts: &[Cut],
    integral: bool,
) -> ColProblem {
    let mut problem = ColProblem::default();
    let mut handles: Vec<Row> = (0..rows.count)
        .map(|row| {
            let value = rows.value(row);
            if row >= rows.first_correction {
                problem.add_row(value..)
            } else {
                problem.add_row(value..=value)
            }
        })
        .collect();
    handles.extend(cuts.iter().map(|_| problem.add_row(..=1.0)));
    for column in columns {
        let entries: Vec<(Row, f64)> = rows
            .of_column(model, items, column)
            .into_iter()
            .chain([(column.slot, 1.0)])
            .chain(
                (0..cuts.len())
                    .filter(|&k| in_cut(items, column, &cuts[k]))
                    .map(|k| (rows.count + k, 1.0)),
            )
            .map(|(row, factor)| (handles[row], factor))
            .collect();
        problem.add_column_with_integrality(column.cost, 0.., entries, integral);
    }
    for &(_, row) in rows.corrections.iter().flatten() {
        problem.add_column(1.0, 0.0..=0.5, [(handles[row], 1.0), (handles[row + 1], 1.0)]);
    }
    // A slot may be left empty (a node may forbid every column it had so far).
    for &slot in &handles[..rows.slots] {
        problem.add_column_with_integrality(0.0, 0.., [(slot, 1.0)], integral);
    }
    // A session no column places yet (a node that forbids what placed it) is placed at a price
    // above any agenda's, so the master always has a solution and its duals steer pricing there.
    let unplaced = (model.wishes.iter().map(Vec::len).sum::<usize>() + 1) as f64;
    for &session in &handles[rows.slots..rows.slots + rows.sessions] {
        problem.add_column_with_integrality(unplaced, 0.., [(session, 1.0)], integral);
    }
    problem
}

/// Solves the master LP over `columns`; returns its value, the duals of its rows and the share of
/// each column.
fn master(
    model: &Model,
    rows: &Rows,
    items: &[Item],
    columns: &[Column],
    cuts: &[Cut],
) -> (f64, Vec<f64>, Vec<f64>) {
    let solved = master_problem(model, rows, items, columns, cuts, false)
        .optimise(Sense::Minimise)
        .solve();
    assert_eq!(solved.status(), HighsModelStatus::Optimal, "the master LP");
    let solution = solved.get_solution();
    let mut duals = solution.dual_rows().to_vec();
    // A cut's dual is at most 0 (a `≤` row of a minimum); rounding must not make it earn.
    for dual in &mut duals[rows.count..] {
        *dual = dual.min(0.0);
    }
    (
        solved.objective_value(),
        duals,
        solution.columns()[..columns.len()].to_vec(),
    )
}

/// The column of slot `u` with the least cost less what it earns under `pi` (its slot's row
/// aside), and a lower bound on that least value (equal to it when pricing finishes in time).
fn price(
    relaxation: &Relaxation,
    allowed: &Allowed,
    cuts: &[Cut],
    pi: &[f64],
    u: usize,
    time_limit: Duration,
) -> (Column, f64) {
    let (model, rows, items) = (relaxation.model, &relaxation.rows, &relaxation.items[..]);
    let here: Vec<usize> = (0..items.len())
        .filter(|&i| allowed.items[i] && items[i].runs(u))
        .collect();
    let mut problem = RowProblem::default();
    let z: Vec<Col> = here
        .iter()
        .map(|&i| {
            let prize = items[i].wishers as f64 * items[i].weight() - dot(&rows.of_item(items, i, u), pi);
            problem.add_integer_column(prize, 0..=1)
        })
        .collect();
    let session_of = |k: usize| items[here[k]].session;
    // The items fit distinct rooms (Hall): for every set of rooms, no more items than rooms can
    // only go there.
    for rooms in 1..1u32 << model.rooms {
        let within: Vec<(Col, f64)> = (0..here.len())
            .filter(|&k| model.rooms_of[session_of(k)].iter().all(|&r| rooms & 1 << r != 0))
            .map(|k| (z[k], 1.0))
            .collect();
        if within.len() > rooms.count_ones() as usize {
            problem.add_row(..=rooms.count_ones(), within);
        }
    }
    // A session runs once; a facilitator runs one session; a plenary runs alone.
    let people = model.facilitators.iter().flatten().max().map_or(0, |p| p + 1);
    let groups = (0..model.sessions())
        .map(|s| {
            (0..here.len())
                .filter(|&k| session_of(k) == s)
                .collect::<Vec<_>>()
        })
        .chain((0..people).map(|p| {
            (0..here.len())
                .filter(|&k| model.facilitators[session_of(k)].contains(&p))
                .collect()
        }));
    for group in groups.filter(|g| g.len() > 1) {
        problem.add_row(..=1, group.iter().map(|&k| (z[k], 1.0)));
    }
    // The branching's pairs: together, both or neither; apart, not both.
    let of = |s: usize| {
        (0..here.len())
            .filter(move |&k| session_of(k) == s)
            .map(|k| (z[k], 1.0))
    };
    for &(s, t) in &allowed.together {
        problem.add_row(0..=0, of(s).chain(of(t).map(|(c, _)| (c, -1.0))));
    }
    for &(s, t) in &allowed.apart {
        problem.add_row(..=1, of(s).chain(of(t)));
    }
    // A cut's dual (at most 0) is charged to a column holding two of its sessions: y is 1 then.
    for (cut, &dual) in cuts.iter().zip(&pi[rows.count..]).filter(|(_, &dual)| dual < 0.0) {
        let present: Vec<Col> = (0..here.len())
            .filter(|&k| items[here[k]].length == 1 && cut.contains(&session_of(k)))
            .map(|k| z[k])
            .collect();
        if present.len() < 2 {
            continue;
        }
        let y = problem.add_column(-dual, 0..=1);
        for (a, &first) in present.iter().enumerate() {
            for &second in &present[a + 1..] {
                problem.add_row(-1.0.., [(y, 1.0), (first, -1.0), (second, -1.0)]);
            }
        }
    }
    for k in (0..here.len()).filter(|&k| model.plenary[session_of(k)]) {
        for other in (0..here.len()).filter(|&o| o != k) {
            problem.add_row(..=1, [(z[k], 1.0), (z[other], 1.0)]);
        }
    }
    // Per attendee, m is the largest weight of an attendable wished item, through one row per
    // weight level v: m ≤ v + Σ (weight − v) over chosen items weighing more than v.
    let wished = |a: usize, k: usize| model.wishes[a].contains(&session_of(k));
    for a in 0..model.wishes.len() {
        let options: Vec<(Col, f64)> = (0..here.len())
            .filter(|&k| wished(a, k) && attendable(model, a, &items[here[k]]))
            .map(|k| (z[k], items[here[k]].weight()))
            .collect();
        if options.is_empty() {
            continue;
        }
        let m = problem.add_column(-1.0, 0..=1);
        let mut levels: Vec<f64> = options.iter().map(|o| o.1).chain([0.0]).collect();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        for level in levels {
            let above = options
                .iter()
                .filter(|o| o.1 > level)
                .map(|&(c, w)| (c, level - w));
            problem.add_row(..=level, std::iter::once((m, 1.0)).chain(above));
        }
    }
    // Corrections: v = z of the two-slot item and some attendable one-slot wish beside it, bounded
    // from the side its price pushes it to.
    for (k, &i) in here.iter().enumerate() {
        for &(a, row) in &rows.corrections[i] {
            let beside: Vec<Col> = (0..here.len())
                .filter(|&j| items[here[j]].length == 1 && wished(a, j) && !model.away[a][u])
                .map(|j| z[j])
                .collect();
            if beside.is_empty() {
                continue;
            }
            let price = -dot(&rows.of_correction(items, i, u, row), pi);
            let v = problem.add_column(price, 0..=1);
            if price < 0.0 {
                problem.add_row(..=0, [(v, 1.0), (z[k], -1.0)]);
                problem.add_row(
                    ..=0,
                    std::iter::once((v, 1.0)).chain(beside.iter().map(|&c| (c, -1.0))),
                );
            } else {
                for &c in &beside {
                    problem.add_row(-1.0.., [(v, 1.0), (z[k], -1.0), (c, -1.0)]);
                }
            }
        }
    }
    let mut highs = problem.optimise(Sense::Minimise);
    highs.set_option("time_limit", time_limit.as_secs_f64().max(1.0));
    highs.set_option("threads", 1);
    highs.set_option("mip_rel_gap", 0.0);
    highs.set_option("mip_abs_gap", 1e-6);
    let solved = highs.solve();
    let least = solved
        .double_info_value(c"mip_dual_bound")
        .expect("mip_dual_bound is a known info value");
    let values = solved.get_solution().columns().to_vec();
    let chosen = (0..here.len())
        .filter(|&k| values[z[k].index()] > 0.5)
        .map(|k| here[k])
        .collect();
    let found = column(model, items, u, chosen);
    let least = least.min(found.cost - earnings(model, rows, items, cuts, &found, pi));
    (found, least)
}
