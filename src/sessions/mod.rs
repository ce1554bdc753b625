//! Training sessions (班次): reading session files into the model's [`Session`]s and checking
//! them against the one-third original-text rule ([`load()`]), their pages ([`pages()`]), and what
//! `check` prints of them ([`report`]).
//!
//! A session is a file `content/sessions/<slug>.md`: front matter with the session's facts and an
//! ordered list of `blocks` (unit references, free activities, day breaks), and a Markdown body,
//! the session's notice. Its front matter is parsed strictly here (the content walk only splits
//! the fence); unit references are resolved against the model, the timetable gets clock times,
//! and the share of study time given to original text is checked against
//! `rules.min_original_share` of `site.yaml` ([`crate::model::share`] has the rule itself).
//!
//! A session may also be a workbook, `content/sessions/<slug>.xlsx` with a sheet 日程 read
//! row by row into the same days and blocks ([`workbook`]) and a sheet 名册, the roster
//! ([`roster`]; also a workbook of its own that sessions name with `roster:`), every problem at
//! its sheet and cell ([`sheet`]). A session with a roster gets a printable sign-in sheet.
//!
//! [`Session`]: crate::model::Session

mod blocks;
mod file;
mod load;
mod pages;
mod report;
mod roster;
mod sheet;
mod workbook;

pub use load::load;
pub use pages::pages;
pub use report::{print_table, report_json, str_width, table};
