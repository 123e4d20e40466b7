//! Branch and price: a lower bound on lost wishes above the column generation's own, by splitting
//! on where a session starts and bounding each side by column generation again.
//!
//! Where the master's LP solution at a node is fractional, the node splits in two
//! (`Relaxation::children`): two one-slot sessions share a slot or never do; else a session starts
//! where an item places it or elsewhere. Pricing keeps to what each node allows, and children
//! start from their parent's columns and cuts (valid everywhere). Every agenda lies
//! under exactly one child, so the least bound over the nodes still open bounds the optimum. The lowest
//! bound is split first, so that least bound climbs as fast as it can; a node whose bound reaches
//! the best agenda's lost wishes is closed.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use crate::bound::{integral, Allowed, Node, Relaxation, Start};
use crate::mip::Settings;

/// What the branch and price proved.
pub struct Proof {
    /// Lost wishes no agenda can go below.
    pub bound: f64,
    /// Nodes bounded, the root included.
    pub nodes: usize,
    /// Nodes left open when the time ran out.
    pub open: usize,
    pub time: Duration,
}

/// A node waiting to be bounded: its parent's bound, the items it allows, and the parent's
/// columns that hold only those, with the parent's cuts.
struct Open {
    bound: f64,
    /// Later nodes first among equal bounds (depth first), which closes nodes sooner.
    number: usize,
    allowed: Allowed,
    start: Start,
}

impl PartialEq for Open {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Open {}

impl PartialOrd for Open {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Open {
    /// The heap's greatest is the lowest bound, then the latest node.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .bound
            .total_cmp(&self.bound)
            .then_with(|| self.number.cmp(&other.number))
    }
}

/// Splits nodes from `root` (bounded over every item) until every node is closed by `best` lost
/// wishes or `deadline` passes.
pub fn branch_and_price(
    relaxation: &Relaxation,
    root: Node,
    best: u32,
    deadline: Instant,
    settings: &Settings,
) -> Proof {
    let started = Instant::now();
    let mut tree = Tree {
        relaxation,
        best,
        open: BinaryHeap::new(),
        unsplit: f64::INFINITY,
        numbered: 0,
    };
    tree.split(root, relaxation.everything());
    let mut nodes = 1;
    while let Some(next) = tree.open.pop() {
        if Instant::now() >= deadline {
            tree.open.push(next);
            break;
        }
        let node = relaxation.generate(&next.allowed, next.start, next.bound, best, deadline, settings);
        nodes += 1;
        let bound = node.bound;
        if node.converged {
            tree.split(node, next.allowed);
        } else {
            // Stopped by the deadline: still a valid bound for this node.
            tree.unsplit = tree.unsplit.min(bound);
        }
        eprintln!(
            "branch and price: {:.0} s, node {nodes}: {bound:.6} (parent {:.6}), {} open, all nodes ≥ {:.6}",
            started.elapsed().as_secs_f64(),
            next.bound,
            tree.open.len(),
            tree.least()
        );
    }
    Proof {
        bound: tree.least(),
        nodes,
        open: tree.open.len(),
        time: started.elapsed(),
    }
}

/// The nodes still open and what the closed ones leave to prove.
struct Tree<'a, 'b> {
    relaxation: &'b Relaxation<'a>,
    best: u32,
    open: BinaryHeap<Open>,
    /// The least bound of nodes that cannot split: their LP solution places every item whole, or
    /// the deadline stopped them.
    unsplit: f64,
    numbered: usize,
}

impl Tree<'_, '_> {
    /// Closes `node` if its bound reaches the best agenda, else opens its two children.
    fn split(&mut self, node: Node, allowed: Allowed) {
        if integral(node.bound) >= f64::from(self.best) {
            return;
        }
        let Some(children) = self.relaxation.children(&node, &allowed) else {
            self.unsplit = self.unsplit.min(node.bound);
            return;
        };
        for child in children {
            self.numbered += 1;
            self.open.push(Open {
                bound: node.bound,
                number: self.numbered,
                start: self.relaxation.start_within(&node, &child),
                allowed: child,
            });
        }
    }

    /// Lost wishes no agenda can go below, as far as the tree has gone.
    fn least(&self) -> f64 {
        self.open
            .peek()
            .map_or(f64::INFINITY, |node| node.bound)
            .min(self.unsplit)
            .min(f64::from(self.best))
    }
}
