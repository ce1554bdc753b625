//! Offline full-text search: the index written as JavaScript so it loads from file://.
//!
//! (Being built with the search issue.)

pub fn data_files(_site: &crate::site::Site) -> Vec<(String, Vec<u8>)> {
    Vec::new()
}
