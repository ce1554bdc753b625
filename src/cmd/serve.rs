//! `studysite serve`. (Being built with the serve issue.)

use anyhow::Result;

use crate::cli::ServeArgs;

pub fn run(_args: ServeArgs) -> Result<u8> {
    Err(super::UsageError("serve is not available yet".into()).into())
}
