//! The index shards of a build after an edit, from the previous build's files.
//!
//! An index shard holds every document's postings for its tokens, so one edited unit can
//! change any of them; made whole, the index is a quarter of a clean build. Here only the
//! changed documents are tokenised: each previous shard is read, the changed documents'
//! postings in it are picked out, and a shard where they are what the new text gives (most
//! of them, after a title or a sentence is edited) is the previous build's file, unchanged.
//! The others are decoded, the changed documents' postings replaced, and encoded again.
//!
//! What makes this exact is [`IndexState`], kept in the build cache: every document's key
//! (what it gives the index, [`super::documents::doc_key`]) and every shard's (the hash of its bytes), as
//! the previous build wrote them. A document whose key is unchanged has the same tokens, so
//! its postings stand; a previous shard is read only through [`super::Reuse::file`], which
//! gives it only when it is still the file written under that key. When the documents were
//! added, removed or reordered (a document's number is its place), the shard count moved or
//! most documents changed ([`changed`] gives `None`), or a previous shard is missing, changed
//! or does not parse ([`shards`] gives `None`), the index is made whole instead. Only the
//! changed documents' text is read back from where `build` parked it. The result equals a
//! clean build's but for one case: two different words with the same 62-bit key (a clean
//! build files both under the first one's text); at the number of distinct words of any real
//! site, about one chance in ten million.

use std::borrow::Cow;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::codec::{PostingIter, encode, text_field_bits};
use super::dedup::{DEDUP, doc_tokens, posting_fields};
use super::documents::Doc;
use super::format::{FORMAT, parse_shard, shard_bytes, shard_path};
use super::index::shard_count;
use super::tokens::{KeyMap, token_text};

/// Where a previous build's file may be found ([`super::Reuse::file`]): the file at `path`
/// (below the site root) when it was written under `key` and is still as it was written.
pub(super) type PreviousFile<'a> = dyn Fn(&blake3::Hash, &str) -> Option<PathBuf> + Sync + 'a;

/// What the previous build's index was made from: each document's key, in index order, and
/// each index shard's. Kept in the build cache (`render::OutputPages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexState {
    format: u32,
    docs: Vec<[u8; 32]>,
    shards: Vec<[u8; 32]>,
}

impl IndexState {
    pub(super) fn new(docs: &[blake3::Hash], shards: &[blake3::Hash]) -> IndexState {
        IndexState {
            format: FORMAT,
            docs: docs.iter().map(|k| *k.as_bytes()).collect(),
            shards: shards.iter().map(|k| *k.as_bytes()).collect(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Encoding into memory fails only on out-of-memory.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// The state in `bytes`; `None` when they do not decode or are of another index format.
    pub fn from_bytes(bytes: &[u8]) -> Option<IndexState> {
        let state: IndexState = postcard::from_bytes(bytes).ok()?;
        (state.format == FORMAT).then_some(state)
    }
}

/// An index shard of this build: the previous build's file (its key and path), or made again
/// (bytes and number of tokens).
pub(super) enum ShardFile {
    Previous(blake3::Hash, PathBuf),
    New(Vec<u8>, usize),
}

/// A changed document's posting: token, document, stored fields ([`posting_fields`]).
type Posting = (String, u32, u8);

/// The documents whose keys (`keys`) changed since the build of `state`, ascending; `None`
/// when the index is to be made whole: documents added, removed or reordered, the shard count
/// moved, or most documents changed.
pub(super) fn changed(
    docs: &[Doc<'_>],
    keys: &[blake3::Hash],
    state: &IndexState,
) -> Option<Vec<u32>> {
    if state.docs.len() != docs.len() || shard_count(docs) != state.shards.len() {
        return None;
    }
    let changed: Vec<u32> = (0..docs.len())
        .filter(|&i| keys[i].as_bytes() != &state.docs[i])
        .map(|i| i as u32)
        .collect();
    // Reading every shard costs about what tokenising a tenth of the documents does.
    (changed.len() * 2 <= docs.len()).then_some(changed)
}

/// Every index shard of this build from the previous build's (`state`), the `changed`
/// documents' text read back; `None` when a previous shard is missing, changed or damaged
/// (the index is then made whole).
pub(super) fn shards(
    docs: &[Doc<'_>],
    changed: &[u32],
    state: &IndexState,
    file: &PreviousFile<'_>,
) -> Option<Vec<ShardFile>> {
    let n_shards = state.shards.len();
    let previous: Vec<(blake3::Hash, PathBuf)> = (state.shards.iter().enumerate())
        .map(|(n, key)| {
            let key = blake3::Hash::from(*key);
            Some((key, file(&key, &shard_path(n))?))
        })
        .collect::<Option<_>>()?;
    if changed.is_empty() {
        let kept = previous
            .into_iter()
            .map(|(key, path)| ShardFile::Previous(key, path));
        return Some(kept.collect());
    }
    let new = new_postings(docs, changed, n_shards);
    (previous.into_par_iter().zip(new).enumerate())
        .map(|(n, ((key, path), new))| {
            let bytes = crate::fs::read(&path).ok()?;
            let entries = parse_shard(std::str::from_utf8(&bytes).ok()?, n)?;
            let old = changed_postings(&entries, changed)?;
            if old == new {
                return Some(ShardFile::Previous(key, path));
            }
            rewrite(n, &entries, changed, &old, &new)
        })
        .collect()
}

/// The postings of the changed documents, by shard, each sorted (token, then document).
fn new_postings(docs: &[Doc<'_>], changed: &[u32], n_shards: usize) -> Vec<Vec<Posting>> {
    let mask = (n_shards - 1) as u32;
    let per_doc: Vec<Vec<(u32, Posting)>> = changed
        .par_iter()
        .map(|&doc| {
            let d = &docs[doc as usize];
            let t = DEDUP.with_borrow_mut(|dedup| doc_tokens(d, dedup, mask, n_shards as u32, 1));
            let words: KeyMap<String> = t.words.into_iter().collect();
            (t.by_worker.iter().flatten())
                .map(|e| {
                    let text = token_text(e.key, &words);
                    (e.shard, (text, doc, posting_fields(e.fields)))
                })
                .collect()
        })
        .collect();
    let mut by_shard: Vec<Vec<Posting>> = vec![Vec::new(); n_shards];
    for (shard, posting) in per_doc.into_iter().flatten() {
        by_shard[shard as usize].push(posting);
    }
    by_shard.iter_mut().for_each(|v| v.sort_unstable());
    by_shard
}

/// The postings of the `changed` documents (ascending) in a shard's `entries`, sorted (token,
/// then document); `None` when a list is damaged.
fn changed_postings(entries: &[(Cow<'_, str>, &str)], changed: &[u32]) -> Option<Vec<Posting>> {
    let mut out = Vec::new();
    for (token, list) in entries {
        let mut postings = PostingIter::new(list, text_field_bits(token));
        let mut next = changed.iter().peekable();
        for (doc, f) in postings.by_ref() {
            while next.next_if(|&&c| c < doc).is_some() {}
            match next.peek() {
                None => break,
                Some(&&c) if c == doc => out.push((token.to_string(), doc, f)),
                Some(_) => {}
            }
        }
        if postings.damaged {
            return None;
        }
    }
    Some(out)
}

/// Shard `n` with the `changed` documents' postings in `entries` (`old`) replaced by `new`
/// (both sorted by token); `None` when a list is damaged. Only the lists of tokens in `old` or
/// `new` are decoded and encoded again; the others are copied as they are.
fn rewrite(
    n: usize,
    entries: &[(Cow<'_, str>, &str)],
    changed: &[u32],
    old: &[Posting],
    new: &[Posting],
) -> Option<ShardFile> {
    use std::collections::{BTreeMap, BTreeSet};
    let touched: BTreeSet<&str> = old.iter().map(|p| &p.0[..]).collect();
    let mut added: BTreeMap<&str, Vec<(u32, u8)>> = BTreeMap::new();
    for (token, doc, f) in new {
        added.entry(token).or_default().push((*doc, *f));
    }
    let mut out: Vec<(&str, Cow<'_, [u8]>)> = Vec::with_capacity(entries.len() + added.len());
    for (token, list) in entries {
        let more = added.remove(&token[..]);
        if more.is_none() && !touched.contains(&token[..]) {
            out.push((token, Cow::Borrowed(list.as_bytes())));
            continue;
        }
        let mut postings = PostingIter::new(list, text_field_bits(token));
        let mut kept: Vec<(u32, u8)> = (postings.by_ref())
            .filter(|(doc, _)| changed.binary_search(doc).is_err())
            .collect();
        if postings.damaged {
            return None;
        }
        kept.extend(more.into_iter().flatten());
        if !kept.is_empty() {
            out.push((token, Cow::Owned(encode(kept, text_field_bits(token)))));
        }
    }
    // Tokens the shard did not have.
    for (token, list) in added {
        out.push((token, Cow::Owned(encode(list, text_field_bits(token)))));
    }
    out.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let entries: Vec<(&str, &[u8])> = out.iter().map(|(t, d)| (*t, &d[..])).collect();
    Some(ShardFile::New(shard_bytes(n, &entries), entries.len()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::sync::Mutex;

    use super::super::index::SHARD_TARGET;
    use super::super::tests::site_of;
    use super::super::{FileBytes, IndexStats, Reuse, write_files, write_reusing};
    use super::*;
    use crate::model::Site;

    /// Text of `len` characters drawn from 200 CJK characters, with full stops, a few words
    /// of Latin letters and digits, and paragraph breaks: enough distinct tokens that a
    /// site of some units has several index shards.
    fn text(seed: u64, len: usize) -> String {
        let mut x = seed.wrapping_mul(6_364_136_223_846_793_005) | 1;
        let mut out = String::new();
        for i in 0..len {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let r = (x >> 33) as u32;
            match i % 97 {
                40 => out.push_str(&format!(" Lenin{} ", r % 500)),
                96 => out.push_str("\n\n"),
                _ if r.is_multiple_of(23) => out.push('。'),
                _ => out.push(char::from_u32(0x4E00 + r % 200).unwrap()),
            }
        }
        out
    }

    /// A site of `units` units whose text (by default `text`) `edit` may change: (unit
    /// number, title, body) → (title, body).
    fn site(units: usize, edit: &dyn Fn(usize, String, String) -> (String, String)) -> Site {
        let mut files: Vec<(String, String)> = vec![
            ("site.yaml".into(), "title: 测试\n".into()),
            (
                "content/01-a/_index.md".into(),
                "---\ntitle: 专题甲\n---\n导言。\n".into(),
            ),
        ];
        for u in 0..units {
            let (title, body) = edit(u, format!("第{u}课 学习"), text(u as u64 + 1, 4000));
            files.push((
                format!("content/01-a/u{u:03}.md"),
                format!("---\ntitle: \"{title}\"\nkind: explanation\nminutes: 5\nweight: {u}\nsummary: 摘要{u}\n---\n## 一节 {{#s{u}}}\n\n{body}\n"),
            ));
        }
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (&p[..], &t[..])).collect();
        site_of(&files)
    }

    /// A previous build's output: its files (in a folder), their keys, and its state.
    struct Previous {
        dir: tempfile::TempDir,
        keys: BTreeMap<String, blake3::Hash>,
        state: IndexState,
    }

    /// Builds the search files of `site` reusing `previous`'s (when given), into a folder;
    /// returns the build and its stats.
    fn build(site: &Site, previous: Option<&Previous>) -> (Previous, IndexStats) {
        build_parked(site, previous, None)
    }

    /// [`build`], with the bodies' text parked in `spill` ([`park`]).
    fn build_parked(
        site: &Site,
        previous: Option<&Previous>,
        spill: Option<&crate::markdown::TextSpill>,
    ) -> (Previous, IndexStats) {
        let dir = tempfile::tempdir().unwrap();
        let keys = Mutex::new(BTreeMap::new());
        let put = |path: &str, key: &blake3::Hash, bytes: FileBytes<'_>| {
            let to = dir.path().join(path);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            match bytes {
                FileBytes::New(b) => std::fs::write(&to, b).unwrap(),
                FileBytes::Previous(p) => {
                    std::fs::copy(p, &to).unwrap();
                }
            }
            keys.lock().unwrap().insert(path.to_string(), *key);
        };
        let file = |key: &blake3::Hash, path: &str| {
            let p = previous?;
            (p.keys.get(path) == Some(key)).then(|| p.dir.path().join(path))
        };
        let reuse = previous.map(|p| Reuse {
            state: Some(&p.state),
            file: &file,
        });
        let (stats, state) = write_reusing(site, reuse.as_ref(), spill, &put).unwrap();
        let keys = keys.into_inner().unwrap();
        (Previous { dir, keys, state }, stats)
    }

    /// Every file under `dir`, by path.
    fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        for e in walkdir::WalkDir::new(dir) {
            let e = e.unwrap();
            if e.file_type().is_file() {
                let rel = e.path().strip_prefix(dir).unwrap();
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read(e.path()).unwrap(),
                );
            }
        }
        out
    }

    /// Asserts that two sets of files are the same, naming the paths that differ.
    #[track_caller]
    fn assert_same(got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>, what: &str) {
        let differ: Vec<&String> = (want.keys().chain(got.keys()))
            .filter(|p| got.get(*p) != want.get(*p))
            .collect();
        assert!(differ.is_empty(), "{what}: these differ: {differ:?}");
    }

    /// The search files of a clean build of `site`.
    fn clean(site: &Site) -> BTreeMap<String, Vec<u8>> {
        let files = Mutex::new(BTreeMap::new());
        write_files(site, &|path, bytes| {
            files
                .lock()
                .unwrap()
                .insert(path.to_string(), bytes.to_vec());
        })
        .unwrap();
        files.into_inner().unwrap()
    }

    /// Asserts that a build of `after` from a build of `before` writes what a clean build of
    /// `after` does; returns its stats.
    #[track_caller]
    fn assert_delta_equals_clean(before: &Site, after: &Site) -> IndexStats {
        let (first, _) = build(before, None);
        let (second, stats) = build(after, Some(&first));
        let (got, want) = (files_in(second.dir.path()), clean(after));
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &want {
            assert!(got[path] == *bytes, "{path} differs from a clean build's");
        }
        // And what it leaves for the next build is what a clean build leaves.
        assert_eq!(second.state, build(after, None).0.state);
        stats
    }

    const UNITS: usize = 100;

    fn unchanged(_: usize, title: String, body: String) -> (String, String) {
        (title, body)
    }

    #[test]
    fn the_test_site_has_several_index_shards() {
        let (first, stats) = build(&site(UNITS, &unchanged), None);
        assert!(
            stats.shards >= 4,
            "{stats:?}, shards of {SHARD_TARGET} bytes"
        );
        assert_eq!(first.state.shards.len(), stats.shards);
    }

    #[test]
    fn after_a_title_edit_only_the_shards_of_its_tokens_are_made_again() {
        let before = site(UNITS, &unchanged);
        let after = site(UNITS, &|u, title, body| match u {
            // Four tokens: 学 and 学习 leave the title, 复 and 复习 come in.
            7 => (title.replace('学', "复"), body),
            _ => (title, body),
        });
        let stats = assert_delta_equals_clean(&before, &after);
        assert!(
            stats.shards_made > 0,
            "some shard was made again: {stats:?}"
        );
        assert!(
            stats.shards_made <= stats.shards / 2,
            "most shards are the previous build's: {stats:?}"
        );
    }

    #[test]
    fn edits_of_text_words_and_several_units_equal_a_clean_build() {
        let before = site(UNITS, &unchanged);
        let edits: [&dyn Fn(usize, String, String) -> (String, String); 4] = [
            // A sentence of one unit's body.
            &|u, t, b| match u {
                3 => (
                    t,
                    b.replacen('。', "。新加的一句话，含有全新的词语 zhongguo2035。", 1),
                ),
                _ => (t, b),
            },
            // Text removed: tokens only that unit had leave the index.
            &|u, t, b| match u {
                0 => (t, b.chars().take(200).collect()),
                _ => (t, b),
            },
            // Three units, the first and the last of the site among them.
            &|u, t, b| match u {
                0 | 17 | 39 => (format!("{t}（修订）"), b.replace('。', "！")),
                _ => (t, b),
            },
            // A word's beginnings: a document that had "lenin…" only as longer words.
            &|u, t, b| match u {
                5 => (format!("{t} lenin"), b),
                _ => (t, b),
            },
        ];
        for edit in edits {
            assert_delta_equals_clean(&before, &site(UNITS, edit));
        }
    }

    #[test]
    fn with_units_added_or_most_of_them_changed_the_index_is_made_whole() {
        let before = site(UNITS, &unchanged);
        let stats = assert_delta_equals_clean(&before, &site(UNITS + 1, &unchanged));
        assert_eq!(stats.shards_made, stats.shards, "{stats:?}");
        assert!(
            stats.reused > 0,
            "the chunks before the new unit are kept: {stats:?}"
        );
        let all = |_: usize, t: String, b: String| (format!("{t}改"), b);
        let stats = assert_delta_equals_clean(&before, &site(UNITS, &all));
        assert_eq!(stats.shards_made, stats.shards, "{stats:?}");
    }

    /// `site` with every body's text parked in `spill`, as `build` has it when the search
    /// index is made.
    fn park(mut site: Site, spill: &crate::markdown::TextSpill) -> Site {
        let bodies = (site.units.iter_mut().map(|u| &mut u.body))
            .chain(site.topics.iter_mut().map(|t| &mut t.body));
        for body in bodies {
            let body = std::sync::Arc::make_mut(body);
            // As a body has it from the Markdown cache: the key of its Markdown.
            body.source = Some(blake3::hash(format!("{:?}", body.sections).as_bytes()));
            spill.park(body);
            assert!(body.sections.iter().all(|s| s.text.is_empty()));
        }
        site
    }

    #[test]
    fn with_the_text_parked_the_files_are_the_same_and_only_what_is_made_reads_it() {
        let spill = crate::markdown::TextSpill::new().expect("a temporary file");
        let before = site(UNITS, &unchanged);
        let after = site(UNITS, &|u, t, b| match u {
            9 => (t, b.replacen('。', "。补充的一句。", 1)),
            _ => (t, b),
        });
        let want = clean(&after);
        let (first, _) = build_parked(&park(site(UNITS, &unchanged), &spill), None, Some(&spill));
        assert_same(
            &files_in(first.dir.path()),
            &clean(&before),
            "a clean build",
        );
        let (second, stats) = build_parked(&park(after, &spill), Some(&first), Some(&spill));
        assert_same(&files_in(second.dir.path()), &want, "a build after an edit");
        assert!(
            0 < stats.shards_made && stats.shards_made < stats.shards,
            "{stats:?}"
        );
        assert!(
            stats.reused > stats.shards - stats.shards_made,
            "chunks kept: {stats:?}"
        );
    }

    #[test]
    fn nothing_changed_every_file_is_the_previous_builds() {
        let site = site(UNITS, &unchanged);
        let (first, _) = build(&site, None);
        let (_, stats) = build(&site, Some(&first));
        assert_eq!(stats.reused, stats.files, "{stats:?}");
    }

    #[test]
    fn a_previous_shard_that_does_not_parse_means_the_index_is_made_whole() {
        let before = site(UNITS, &unchanged);
        let after = site(UNITS, &|u, t, b| match u {
            2 => (format!("{t}改"), b),
            _ => (t, b),
        });
        let (first, _) = build(&before, None);
        for damage in ["__studysiteSearch.i(0,{\"一\":\"A!\"});\n", "garbage", ""] {
            for n in 0..first.state.shards.len() {
                let path = first.dir.path().join(shard_path(n));
                let mut bytes = std::fs::read(&path).unwrap();
                bytes.truncate(bytes.len() / 2);
                bytes.extend_from_slice(damage.as_bytes());
                std::fs::write(&path, bytes).unwrap();
            }
            let (second, stats) = build(&after, Some(&first));
            assert_same(&files_in(second.dir.path()), &clean(&after), damage);
            assert_eq!(stats.shards_made, stats.shards, "{stats:?}");
        }
    }

    #[test]
    fn shard_files_parse_back_to_their_postings() {
        let site = site(UNITS, &unchanged);
        for (path, bytes) in clean(&site) {
            let Some(n) = path
                .strip_prefix("search/i/")
                .and_then(|p| p.strip_suffix(".js"))
            else {
                continue;
            };
            let n: usize = n.parse().unwrap();
            let text = std::str::from_utf8(&bytes).unwrap();
            let entries = parse_shard(text, n).expect("parses");
            assert!(!entries.is_empty());
            let again: Vec<(&str, &[u8])> = (entries.iter())
                .map(|(t, p)| (&t[..], p.as_bytes()))
                .collect();
            assert_eq!(shard_bytes(n, &again), bytes, "{path}");
            for (token, list) in &entries {
                let mut postings = PostingIter::new(list, text_field_bits(token));
                assert!(postings.by_ref().count() > 0);
                assert!(!postings.damaged, "{token}");
            }
        }
        assert_eq!(
            parse_shard("__studysiteSearch.i(0,{\"b\":\"A\",\"a\":\"A\"});\n", 0),
            None
        );
    }

    #[test]
    fn a_tokens_field_bits_follow_from_its_text_as_from_its_key() {
        let mut scratch = String::new();
        super::super::tokens::tokenize(
            "三会一课 2018年 ｌｅｎｉｎ 々〇 ㈠ 한국어 Ωmega",
            &mut scratch,
            |t| {
                let bits = super::super::codec::field_bits(t.key());
                assert_eq!(text_field_bits(&t.text()), bits, "{t:?}");
            },
        );
    }

    #[test]
    fn the_state_survives_bytes_and_another_format_is_refused() {
        let (first, _) = build(&site(3, &unchanged), None);
        let bytes = first.state.to_bytes();
        assert_eq!(IndexState::from_bytes(&bytes), Some(first.state.clone()));
        let mut other = first.state.clone();
        other.format += 1;
        assert_eq!(IndexState::from_bytes(&other.to_bytes()), None);
        assert_eq!(IndexState::from_bytes(&bytes[..bytes.len() / 2]), None);
    }
}
