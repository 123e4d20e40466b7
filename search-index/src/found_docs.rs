//! The documents an area query matched, kept as plain words of bits and read as a tantivy `DocSet` a word
//! at a time: no copy into another bitset, and a seek goes straight to its word.

use tantivy::{DocId, DocSet, TERMINATED};

/// A bitset of documents, 64 to a word, as a `DocSet`.
pub(crate) struct FoundDocs {
    words: Vec<u64>,
    /// The word being read, and its bits not read yet.
    word: usize,
    bits: u64,
    doc: DocId,
    len: u32,
}

impl FoundDocs {
    pub(crate) fn new(words: Vec<u64>) -> Self {
        let len = words.iter().map(|word| word.count_ones()).sum();
        let bits = words.first().copied().unwrap_or(0);
        let mut docs = FoundDocs {
            words,
            word: 0,
            bits,
            doc: 0,
            len,
        };
        docs.next_set_bit();
        docs
    }

    /// Moves to the lowest bit left, in this word or a later one.
    fn next_set_bit(&mut self) -> DocId {
        while self.bits == 0 {
            self.word += 1;
            match self.words.get(self.word) {
                Some(&bits) => self.bits = bits,
                None => {
                    self.word = self.words.len();
                    self.doc = TERMINATED;
                    return TERMINATED;
                }
            }
        }
        self.doc = (self.word * 64) as DocId + self.bits.trailing_zeros();
        self.doc
    }
}

impl DocSet for FoundDocs {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.bits &= self.bits - 1;
        self.next_set_bit()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        let word = target as usize / 64;
        if word >= self.words.len() {
            self.word = self.words.len();
            self.doc = TERMINATED;
            return TERMINATED;
        }
        if word > self.word {
            self.word = word;
            self.bits = self.words[word];
        }
        self.bits &= u64::MAX << (target % 64);
        self.next_set_bit()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{DocSet, TERMINATED};

    use super::FoundDocs;
    use crate::map::mark;

    fn words_of(docs: &[u32], max_doc: u32) -> Vec<u64> {
        let mut words = vec![0; (max_doc as usize).div_ceil(64)];
        docs.iter().for_each(|doc| mark(&mut words, *doc));
        words
    }

    /// Advancing yields every document in order; seeking to any target lands on the first document at or
    /// after it, across empty words and at the ends.
    #[test]
    fn reads_and_seeks_like_the_documents_it_holds() {
        let docs = [0, 1, 63, 64, 130, 400, 401, 1_023];
        let mut read = Vec::new();
        let mut found = FoundDocs::new(words_of(&docs, 1_024));
        assert_eq!(found.size_hint(), docs.len() as u32);
        while found.doc() != TERMINATED {
            read.push(found.doc());
            found.advance();
        }
        assert_eq!(read, docs);
        assert_eq!(found.advance(), TERMINATED);
        for target in 0..1_030 {
            let expected = docs
                .iter()
                .copied()
                .find(|doc| *doc >= target)
                .unwrap_or(TERMINATED);
            let mut found = FoundDocs::new(words_of(&docs, 1_024));
            assert_eq!(found.seek(target), expected, "seek({target})");
            // A second, farther seek from there.
            let farther = target + 70;
            let expected = docs
                .iter()
                .copied()
                .find(|doc| *doc >= farther)
                .unwrap_or(TERMINATED);
            assert_eq!(
                found.seek(farther),
                expected,
                "seek({target}) then seek({farther})"
            );
        }
        assert_eq!(FoundDocs::new(words_of(&[], 100)).doc(), TERMINATED);
        assert_eq!(FoundDocs::new(Vec::new()).doc(), TERMINATED);
    }
}
