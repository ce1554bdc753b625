//! The one integration-test binary: it runs the real `studysite` binary on small fixture sites
//! (`fixtures/<feature>/<case>/`, copied to a temp dir first) and on the shipped site, and
//! drives Debian's Chromium for browser behaviour (see `browser.rs`).
//!
//! One module per feature.

mod aloud;
mod architecture;
mod bank;
mod browser;
mod build;
mod collect;
mod golden;
mod import;
mod incremental;
mod learners;
mod phones;
mod quiz;
mod search;
mod serve;
mod sessions;
mod support;
mod theme;
mod validate;
