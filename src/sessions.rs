//! Training sessions (班次) and the one-third original-text rule.
//!
//! (Being built with the sessions issue.)

/// A training session. (Filled in by the sessions issue.)
#[derive(Debug, Clone)]
pub struct Session {}

pub fn load(
    _site: &crate::site::Site,
    _files: &[crate::content::RawFile],
    _diags: &mut crate::diag::Diagnostics,
) -> Vec<Session> {
    Vec::new()
}

pub fn pages(_site: &crate::site::Site) -> Vec<crate::site::ExtraPage> {
    Vec::new()
}

/// Prints the sessions' table for `check`. (Filled in by the sessions issue.)
pub fn print_table(_site: &crate::site::Site) {}

/// The sessions' figures for `check --format json`.
pub fn report_json(_site: &crate::site::Site) -> serde_json::Value {
    serde_json::Value::Array(Vec::new())
}
