//! The files under a folder, for tests that run over a whole corpus.

use std::path::{Path, PathBuf};

/// Every file under `dir` (recursively) that `keep` accepts, sorted within
/// each folder so test output is stable. A folder that cannot be read adds
/// nothing.
pub fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            files_under(&p, keep, out);
        } else if keep(&p) {
            out.push(p);
        }
    }
}
