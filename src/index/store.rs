//! The on-disk layout of an index folder: immutable generations plus a `CURRENT` pointer.
//!
//! ```text
//! <index>/CURRENT            name of the live generation (replaced atomically by rename)
//! <index>/gen-<nanos>/       tantivy files + corpus.json, never modified once published
//! <index>/reindex.lock       held by the one reindex allowed at a time
//! ```
//! A reindex that dies half-way leaves an unpublished generation behind; `CURRENT` still names
//! the old one, so the server keeps serving it. The next reindex removes the leftovers.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

const CURRENT: &str = "CURRENT";
const LOCK: &str = "reindex.lock";
const PREFIX: &str = "gen-";

/// An index folder.
#[derive(Debug, Clone)]
pub struct IndexRoot {
    path: PathBuf,
}

impl IndexRoot {
    pub fn new(path: impl Into<PathBuf>) -> IndexRoot {
        IndexRoot { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Name of the live generation, if an index was ever published here.
    pub fn current(&self) -> Option<String> {
        let name = fs::read_to_string(self.path.join(CURRENT)).ok()?;
        let name = name.trim();
        (name.starts_with(PREFIX) && self.path.join(name).is_dir()).then(|| name.to_string())
    }

    pub fn generation_dir(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Create a fresh, empty generation folder (not yet live).
    pub fn new_generation(&self) -> Result<(String, PathBuf)> {
        fs::create_dir_all(&self.path).with_context(|| format!("creating index folder {}", self.path.display()))?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos();
        let name = format!("{PREFIX}{nanos}");
        let dir = self.path.join(&name);
        fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok((name, dir))
    }

    /// Make `name` the live generation: write the pointer to a temp file, sync, rename over.
    pub fn publish(&self, name: &str) -> Result<()> {
        let tmp = self.path.join(format!("{CURRENT}.tmp"));
        let mut f = fs::File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(name.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, self.path.join(CURRENT)).context("replacing CURRENT")?;
        if let Ok(dir) = fs::File::open(&self.path) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Remove generations other than the live one and the one before it (a server may still
    /// be answering from it), and leftovers of crashed reindexes.
    pub fn prune(&self, keep_previous: Option<&str>) -> Result<usize> {
        let current = self.current();
        let mut removed = 0;
        for entry in fs::read_dir(&self.path)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if !name.starts_with(PREFIX) || Some(name.as_str()) == current.as_deref() || Some(name.as_str()) == keep_previous {
                continue;
            }
            fs::remove_dir_all(entry.path()).with_context(|| format!("removing {}", entry.path().display()))?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Take the reindex lock; a lock left by a process that no longer runs is taken over.
    pub fn lock(&self) -> Result<ReindexLock> {
        fs::create_dir_all(&self.path).with_context(|| format!("creating index folder {}", self.path.display()))?;
        let path = self.path.join(LOCK);
        for _ in 0..2 {
            match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    write!(f, "{}", std::process::id())?;
                    return Ok(ReindexLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = fs::read_to_string(&path).unwrap_or_default();
                    let alive = !pid.trim().is_empty() && Path::new("/proc").join(pid.trim()).exists();
                    if alive {
                        bail!("another reindex (pid {}) is running on {}", pid.trim(), self.path.display());
                    }
                    let _ = fs::remove_file(&path);
                }
                Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
            }
        }
        bail!("could not take {}", path.display())
    }
}

/// Held while a reindex runs; released on drop.
pub struct ReindexLock {
    path: PathBuf,
}

impl Drop for ReindexLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}
