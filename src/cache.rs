//! Memo tables for `serve --watch`, keyed by the BLAKE3 hash of everything a value is made
//! from, so that a rebuild redoes only the work whose inputs changed.
//!
//! Two of them exist: rendered Markdown by its text ([`crate::markdown::RenderCache`]) and
//! finished pages by their template inputs ([`crate::render::PageCache`]). A key names its inputs
//! completely, so a hit is exactly what doing the work again would give; nothing here knows
//! which file changed. The owner (the rebuild loop) passes a cache in explicitly and calls
//! [`Cache::sweep`] after each good build, which drops the entries that build did not use: a
//! cache never holds more than two builds' values. `build` and `check` use none.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug)]
struct Entry<V> {
    value: V,
    /// Used since the last sweep.
    used: bool,
}

/// Values by content hash; `V` is cheap to clone (an `Arc`).
#[derive(Debug)]
pub struct Cache<V> {
    entries: Mutex<HashMap<blake3::Hash, Entry<V>>>,
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> Cache<V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value stored under `key`, marked as used by this build.
    pub fn get(&self, key: &blake3::Hash) -> Option<V> {
        let mut entries = self.lock();
        let e = entries.get_mut(key)?;
        e.used = true;
        Some(e.value.clone())
    }

    /// Stores `value` under `key` (used by this build).
    pub fn insert(&self, key: blake3::Hash, value: V) {
        self.lock().insert(key, Entry { value, used: true });
    }

    /// Drops every entry not used since the previous sweep.
    pub fn sweep(&self) {
        self.lock().retain(|_, e| std::mem::take(&mut e.used));
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<blake3::Hash, Entry<V>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_keeps_only_what_the_last_build_used() {
        let cache: Cache<u32> = Cache::new();
        let (a, b) = (blake3::hash(b"a"), blake3::hash(b"b"));
        cache.insert(a, 1);
        cache.insert(b, 2);
        cache.sweep();
        assert_eq!(cache.len(), 2, "both used since the last sweep");
        assert_eq!(cache.get(&a), Some(1));
        cache.sweep();
        assert_eq!((cache.len(), cache.get(&b)), (1, None), "`b` was not used");
        assert_eq!(cache.get(&a), Some(1));
    }
}
