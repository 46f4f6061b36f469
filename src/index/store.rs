//! The on-disk layout of an index folder: immutable generations plus a `CURRENT` pointer.
//!
//! ```text
//! <index>/CURRENT            name of the live generation (replaced atomically by rename)
//! <index>/gen-<nanos>/       tantivy files + corpus.json, never modified once published
//! <index>/reindex.lock       flock(2)ed by the one reindex allowed at a time
//! ```
//! The lock is an OS file lock: it cannot be stolen by reading a half-written file, and it dies
//! with its process, so a reindex killed at any point never blocks the next one (whatever its
//! pid now belongs to). The lock file itself is never deleted: deleting a locked file lets a
//! second process lock a new file of the same name. A generation becomes live only after it was
//! verified and synced to disk; a reindex that dies half-way leaves an unpublished generation
//! behind, `CURRENT` still names the old one, and the next reindex (holding the lock, so no other
//! build is running) removes the leftovers.

use std::fs;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

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
        (name.starts_with(PREFIX) && !name.contains('/') && self.path.join(name).is_dir()).then(|| name.to_string())
    }

    pub fn generation_dir(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Create a fresh, empty generation folder (not yet live). Needs the lock: only the holder
    /// builds, so a leftover found by `prune` is never another run's work in progress.
    pub fn new_generation(&self, _lock: &ReindexLock) -> Result<Generation> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos();
        let name = format!("{PREFIX}{nanos}");
        let dir = self.path.join(&name);
        fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Generation { name, dir, published: false })
    }

    /// Make `generation` live: sync every file of it and its folder, write the pointer to a temp
    /// file, sync, rename over `CURRENT`, sync the index folder. Call only on a verified
    /// generation.
    pub fn publish(&self, generation: &mut Generation, _lock: &ReindexLock) -> Result<()> {
        sync_tree(&generation.dir).with_context(|| format!("syncing {}", generation.dir.display()))?;
        let tmp = self.path.join(format!("{CURRENT}.tmp"));
        let mut f = fs::File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(generation.name.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, self.path.join(CURRENT)).context("replacing CURRENT")?;
        fs::File::open(&self.path).and_then(|d| d.sync_all()).with_context(|| format!("syncing {}", self.path.display()))?;
        generation.published = true;
        Ok(())
    }

    /// Remove generations other than the live one and the one before it (a server may still
    /// be answering from it): older ones and leftovers of failed or killed reindexes.
    pub fn prune(&self, keep_previous: Option<&str>, _lock: &ReindexLock) -> Result<usize> {
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

    /// Take the reindex lock, waiting for a running reindex to finish; `waiting(pid)` is called
    /// once if we have to wait, with the holder's pid when it wrote one.
    pub fn lock(&self, waiting: &dyn Fn(Option<u32>)) -> Result<ReindexLock> {
        fs::create_dir_all(&self.path).with_context(|| format!("creating index folder {}", self.path.display()))?;
        let path = self.path.join(LOCK);
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                waiting(pid.trim().parse().ok());
                file.lock().with_context(|| format!("locking {}", path.display()))?;
            }
            Err(fs::TryLockError::Error(e)) => return Err(e).with_context(|| format!("locking {}", path.display())),
        }
        // who holds it, for the message of whoever waits next
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "{}", std::process::id())?;
        Ok(ReindexLock { _file: file })
    }
}

/// Held while a reindex runs; the OS releases it when this is dropped or the process dies.
pub struct ReindexLock {
    _file: fs::File,
}

/// A generation being built. Removed on drop unless it was published, so a failed build (bad
/// write, full disk, failed verification) leaves nothing behind.
pub struct Generation {
    pub name: String,
    pub dir: PathBuf,
    published: bool,
}

impl Drop for Generation {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// fsync every file under `dir`, then `dir` itself.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        } else {
            fs::File::open(entry.path())?.sync_all()?;
        }
    }
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_is_exclusive_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let root = IndexRoot::new(dir.path());
        let held = root.lock(&|_| panic!("nobody holds it yet")).unwrap();
        // a second open file description cannot take it while the first is held
        let other = fs::OpenOptions::new().write(true).open(dir.path().join(LOCK)).unwrap();
        assert!(matches!(other.try_lock(), Err(fs::TryLockError::WouldBlock)));
        assert_eq!(fs::read_to_string(dir.path().join(LOCK)).unwrap(), std::process::id().to_string());
        drop(held);
        assert!(other.try_lock().is_ok());
    }

    #[test]
    fn a_stale_pid_in_the_lock_file_blocks_nobody() {
        let dir = tempfile::tempdir().unwrap();
        // pid 1 is always alive: a pid-file lock would wait for it forever
        fs::write(dir.path().join(LOCK), "1").unwrap();
        let root = IndexRoot::new(dir.path());
        assert!(root.lock(&|_| panic!("a file nobody locks does not make us wait")).is_ok());
    }

    #[test]
    fn an_unpublished_generation_is_removed_and_pruning_keeps_current_and_previous() {
        let dir = tempfile::tempdir().unwrap();
        let root = IndexRoot::new(dir.path());
        let lock = root.lock(&|_| {}).unwrap();
        let failed = root.new_generation(&lock).unwrap();
        let failed_dir = failed.dir.clone();
        fs::write(failed_dir.join("x"), "partial").unwrap();
        drop(failed);
        assert!(!failed_dir.exists());

        let mut names = Vec::new();
        for _ in 0..3 {
            let mut g = root.new_generation(&lock).unwrap();
            fs::write(g.dir.join("x"), "done").unwrap();
            root.publish(&mut g, &lock).unwrap();
            names.push(g.name.clone());
        }
        assert_eq!(root.current().as_deref(), Some(names[2].as_str()));
        assert_eq!(root.prune(Some(&names[1]), &lock).unwrap(), 1);
        assert!(!root.generation_dir(&names[0]).exists());
        assert!(root.generation_dir(&names[1]).exists() && root.generation_dir(&names[2]).exists());
    }
}
