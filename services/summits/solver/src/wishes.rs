//! Attendable wishes: the largest set of an attendee's wished sessions they can attend, computed
//! exactly as interval scheduling on the line of slots.

use crate::model::SlotMask;

/// A placed wished session as seen by one attendee: its slots `[start, end)` and its wish rank.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WishedInterval {
    pub start: usize,
    pub end: usize,
    pub rank: usize,
}

impl WishedInterval {
    pub fn new(start: usize, length: usize, rank: usize) -> WishedInterval {
        WishedInterval {
            start,
            end: start + length,
            rank,
        }
    }

    fn mask(&self) -> SlotMask {
        crate::model::span_mask(self.start, self.end - self.start)
    }
}

/// The number of wished sessions attendable with no two overlapping and none in an unavailable
/// slot: earliest-end-first is optimal for unweighted interval scheduling. Sorts `intervals`.
pub(crate) fn attendable_count(intervals: &mut [WishedInterval], unavailable: SlotMask) -> u32 {
    intervals.sort_unstable_by_key(|i| i.end);
    let mut free_from = 0;
    let mut count = 0;
    for interval in intervals.iter() {
        if interval.start >= free_from && interval.mask() & unavailable == 0 {
            free_from = interval.end;
            count += 1;
        }
    }
    count
}

/// A largest attendable set that, among all largest sets, favours higher-ranked wishes: weighted
/// interval scheduling where each session weighs more than all rank bonuses together. Returns the
/// ranks chosen, best first.
pub(crate) fn ranked_agenda(intervals: &[WishedInterval], unavailable: SlotMask) -> Vec<usize> {
    let mut usable: Vec<WishedInterval> = intervals
        .iter()
        .copied()
        .filter(|i| i.mask() & unavailable == 0)
        .collect();
    usable.sort_unstable_by_key(|i| (i.end, i.start));
    let n = intervals.len() as u64;
    let weight = |i: &WishedInterval| n * n + 1 + (n - i.rank as u64);
    // best[k]: the best weight using the first k intervals; choice[k]: whether interval k-1 is taken.
    let mut best = vec![0u64; usable.len() + 1];
    let mut previous = vec![0usize; usable.len()];
    for (k, interval) in usable.iter().enumerate() {
        previous[k] = usable[..k].partition_point(|other| other.end <= interval.start);
        let take = best[previous[k]] + weight(interval);
        best[k + 1] = best[k].max(take);
    }
    let mut chosen = Vec::new();
    let mut k = usable.len();
    while k > 0 {
        let interval = &usable[k - 1];
        if best[k] == best[previous[k - 1]] + weight(interval) && best[k] != best[k - 1] {
            chosen.push(interval.rank);
            k = previous[k - 1];
        } else {
            k -= 1;
        }
    }
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(start: usize, length: usize, rank: usize) -> WishedInterval {
        WishedInterval::new(start, length, rank)
    }

    #[test]
    fn counts_non_overlapping_wishes() {
        // Slots 0..4: a long session 0..3 overlaps three short ones; the three short ones win.
        let mut wishes = vec![
            interval(0, 3, 0),
            interval(0, 1, 1),
            interval(1, 1, 2),
            interval(2, 1, 3),
        ];
        assert_eq!(attendable_count(&mut wishes, 0), 3);
    }

    #[test]
    fn parallel_wishes_count_once() {
        let mut wishes = vec![interval(1, 1, 0), interval(1, 1, 1), interval(1, 1, 2)];
        assert_eq!(attendable_count(&mut wishes, 0), 1);
    }

    #[test]
    fn unavailable_slots_lose_the_wishes_in_them() {
        let mut wishes = vec![interval(0, 2, 0), interval(2, 1, 1), interval(3, 1, 2)];
        assert_eq!(attendable_count(&mut wishes, 1 << 1), 2);
        assert_eq!(attendable_count(&mut wishes, 0b1111), 0);
    }

    #[test]
    fn the_ranked_agenda_is_largest_then_best_ranked() {
        // Rank 0 (the first wish) clashes with ranks 1 and 2, which fit together: two beat one.
        let wishes = [interval(0, 2, 0), interval(0, 1, 1), interval(1, 1, 2)];
        assert_eq!(ranked_agenda(&wishes, 0), vec![1, 2]);
        // Ranks 0 and 1 are parallel, rank 2 is later: keep the first wish.
        let wishes = [interval(0, 1, 1), interval(0, 1, 0), interval(1, 1, 2)];
        assert_eq!(ranked_agenda(&wishes, 0), vec![0, 2]);
        assert_eq!(ranked_agenda(&wishes, 1), vec![2]);
    }
}
