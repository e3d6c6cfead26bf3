//! Finished PDFs in memory, by a digest of everything drawn on them. A changed input (a new
//! photo, a re-arranged seat, an edited notice) gives another digest, so a stale file is
//! never served; it is only left to age out. Bounded in bytes: the oldest files go first.

use axum::body::Bytes;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub type Key = [u8; 32];

/// The key of `inputs` (any serializable description of what a file shows).
pub fn key_of<T: serde::Serialize>(kind: &str, inputs: &T) -> Key {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update([0]);
    // Serializing plain facts cannot fail; if it ever did, an empty body still gives a key
    // of its own kind (and the file would merely be rendered again).
    h.update(serde_json::to_vec(inputs).unwrap_or_default());
    h.finalize().into()
}

#[derive(Debug)]
pub struct PdfCache {
    inner: Mutex<Inner>,
    budget: usize,
}

#[derive(Debug, Default)]
struct Inner {
    files: HashMap<Key, Bytes>,
    order: VecDeque<Key>,
    bytes: usize,
}

impl PdfCache {
    /// A cache holding at most `budget` bytes of files.
    pub fn new(budget: usize) -> Self {
        Self { inner: Mutex::new(Inner::default()), budget }
    }

    pub fn get(&self, key: &Key) -> Option<Bytes> {
        let inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.files.get(key).cloned()
    }

    pub fn put(&self, key: Key, file: Bytes) {
        if file.len() > self.budget {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.files.contains_key(&key) {
            return;
        }
        inner.bytes += file.len();
        inner.files.insert(key, file);
        inner.order.push_back(key);
        while inner.bytes > self.budget {
            let Some(old) = inner.order.pop_front() else { break };
            if let Some(f) = inner.files.remove(&old) {
                inner.bytes -= f.len();
            }
        }
    }

    /// Files held and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (inner.files.len(), inner.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_files_by_key_within_its_budget_oldest_out_first() {
        let c = PdfCache::new(10);
        let (a, b, d) = (key_of("t", &1), key_of("t", &2), key_of("t", &3));
        assert_ne!(a, key_of("s", &1), "the kind is part of the key");
        c.put(a, Bytes::from(vec![0; 4]));
        c.put(b, Bytes::from(vec![0; 4]));
        assert_eq!(c.size(), (2, 8));
        c.put(d, Bytes::from(vec![0; 4]));
        assert!(c.get(&a).is_none(), "the oldest made room");
        assert_eq!(c.get(&b).map(|f| f.len()), Some(4));
        assert_eq!(c.size(), (2, 8));
        c.put(key_of("t", &4), Bytes::from(vec![0; 11]));
        assert_eq!(c.size(), (2, 8), "a file above the whole budget is not kept");
    }
}
