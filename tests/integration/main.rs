//! The one integration-test binary: it runs the real `studysite` binary on small fixture sites
//! (`fixtures/<feature>/<case>/`, copied to a temp dir first) and on the shipped site, and
//! drives Debian's Chromium for browser behaviour (see `browser.rs`).
//!
//! One module per feature.

// A failed unwrap is a failed test: helpers outside `#[test]` functions unwrap too (the
// `unwrap_used` lint of Cargo.toml is for the program).
#![allow(clippy::unwrap_used)]

mod aloud;
mod architecture;
mod bank;
mod bench_corpus;
mod browser;
mod build;
mod collect;
mod golden;
mod import;
mod incremental;
mod learners;
mod phones;
mod quiz;
mod safety;
mod search;
mod serve;
mod session_books;
mod sessions;
mod support;
mod theme;
mod validate;
