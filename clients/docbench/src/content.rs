//! The large file's content: a seeded generator's output, produced one chunk
//! at a time so that no file is ever held in memory, with its SHA-256 known
//! before it is sent.

pub use eiso_benchkit::splitmix::SplitMix64;
use sha2::{Digest, Sha256};

/// `size` bytes from `seed`, in chunks of `chunk` bytes (the last one shorter).
/// The bytes do not depend on the chunk size.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: SplitMix64,
    remaining: u64,
    chunk: usize,
}

impl Generator {
    /// `chunk` is rounded up to a multiple of 8 (one generator word).
    pub fn new(seed: u64, size: u64, chunk: usize) -> Self {
        Self {
            rng: SplitMix64(seed),
            remaining: size,
            chunk: chunk.max(8).next_multiple_of(8),
        }
    }
}

impl Iterator for Generator {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        if self.remaining == 0 {
            return None;
        }
        let len = self.remaining.min(self.chunk as u64) as usize;
        let mut chunk = vec![0u8; len.next_multiple_of(8)];
        for word in chunk.chunks_exact_mut(8) {
            word.copy_from_slice(&self.rng.next_u64().to_le_bytes());
        }
        chunk.truncate(len);
        self.remaining -= len as u64;
        Some(chunk)
    }
}

/// The lowercase hex SHA-256 of what [`Generator::new`]`(seed, size, _)` yields.
pub fn sha256_of(seed: u64, size: u64) -> String {
    let mut hasher = Sha256::new();
    for chunk in Generator::new(seed, size, 1 << 20) {
        hasher.update(&chunk);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concat(generator: Generator) -> Vec<u8> {
        generator.flatten().collect()
    }

    #[test]
    fn the_content_does_not_depend_on_the_chunk_size() {
        let a = concat(Generator::new(7, 100_003, 1024));
        let b = concat(Generator::new(7, 100_003, 4096));
        assert_eq!(a.len(), 100_003);
        assert_eq!(a, b);
        assert_ne!(a, concat(Generator::new(8, 100_003, 1024)));
    }

    #[test]
    fn chunks_have_the_asked_size_and_the_digest_matches() {
        let chunks: Vec<Vec<u8>> = Generator::new(1, 10_000, 4096).collect();
        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, [4096, 4096, 1808]);
        let digest = hex::encode(Sha256::digest(chunks.concat()));
        assert_eq!(sha256_of(1, 10_000), digest);
    }

    #[test]
    fn an_empty_file_has_no_chunk() {
        assert_eq!(Generator::new(1, 0, 1024).count(), 0);
    }
}
