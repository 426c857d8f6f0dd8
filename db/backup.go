package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrInUse is returned when another process (or another open of the database in this one) is the bot's writer.
var ErrInUse = errors.New("db: the database is in use by a running bot")

// LockPath is the lock file a running bot holds next to the database at path.
func LockPath(path string) string { return path + ".lock" }

// writerLock is an exclusive flock(2) on LockPath. The kernel drops it when the holder exits, however it exits
// (SIGKILL and power loss included), so a stale lock file never blocks a restart. flock locks belong to the open
// file description: a second open in the same process conflicts too, which the tests rely on.
type writerLock struct{ f *os.File }

// lockWriter takes the writer lock for the database at path without waiting; ErrInUse (with the holder's pid
// when it wrote one) if another holds it.
func lockWriter(path string) (*writerLock, error) {
	f, err := os.OpenFile(LockPath(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("db: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if pid := strings.TrimSpace(string(b[:n])); pid != "" {
				return nil, fmt.Errorf("%w (pid %s holds %s)", ErrInUse, pid, LockPath(path))
			}
			return nil, fmt.Errorf("%w (%s is locked)", ErrInUse, LockPath(path))
		}
		return nil, fmt.Errorf("db: lock %s: %w", LockPath(path), err)
	}
	// The pid is only for the message above; the flock is what counts.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &writerLock{f: f}, nil
}

func (l *writerLock) release() {
	if l == nil {
		return
	}
	l.f.Truncate(0)
	l.f.Close() // closing the only descriptor releases the flock
}

// OpenWriter is Open for the bot's one writer (`wecombot serve`): it takes the writer lock first, so a second bot
// or a restore is refused before anything, migrations included, touches a database another bot runs on. The
// lock is held until Close.
func OpenWriter(path string) (*DB, error) {
	l, err := lockWriter(path)
	if errors.Is(err, fs.ErrNotExist) { // no directory: Open says so, with the fix
		d, oerr := Open(path)
		if oerr != nil {
			return nil, oerr
		}
		d.Close()
		l, err = lockWriter(path)
	}
	if err != nil {
		return nil, err
	}
	d, err := Open(path)
	if err != nil {
		l.release()
		return nil, err
	}
	d.writer = l
	return d, nil
}

// LockWriter makes this DB the database's one writer until Close: `wecombot serve` takes it at start, so `bot
// restore` (and a second bot on the same file) refuse while it runs. ErrInUse when another holds it.
func (db *DB) LockWriter() error {
	if db.writer != nil {
		return nil
	}
	l, err := lockWriter(db.path)
	if err != nil {
		return err
	}
	db.writer = l
	return nil
}

// BackupInfo describes a finished backup.
type BackupInfo struct {
	Path  string
	Bytes int64
	Took  time.Duration
}

// Backup writes a consistent copy of the database at src to dest with VACUUM INTO, while a bot may be writing
// to it: the copy is one read transaction's snapshot, so it holds every transaction committed before it began
// and none after. It never blocks the bot's writers (WAL readers do not). The copy is written mode 0600 to a
// temporary file beside dest, synced, and then put in place: with force it replaces dest, otherwise an existing
// dest is an error and is left untouched. src must exist: it is opened read-only and never created or migrated.
func Backup(ctx context.Context, src, dest string, force bool) (BackupInfo, error) {
	start := time.Now()
	if _, err := os.Stat(src); err != nil {
		return BackupInfo{}, fmt.Errorf("db: backup source: %w", err)
	}
	if !force {
		if _, err := os.Lstat(dest); err == nil {
			return BackupInfo{}, fmt.Errorf("db: backup: %s already exists; choose a new file or pass --force to replace it", dest)
		}
	}
	sdb, err := openReadOnly(src)
	if err != nil {
		return BackupInfo{}, err
	}
	defer sdb.Close()
	tmp, err := privateTemp(dest)
	if err != nil {
		return BackupInfo{}, err
	}
	defer os.Remove(tmp) // a no-op once renamed or linked away
	// VACUUM INTO accepts an existing empty file, which privateTemp made 0600, so the copy is never readable by
	// others, not even for a moment.
	if _, err := sdb.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return BackupInfo{}, fmt.Errorf("db: backup: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return BackupInfo{}, err
	}
	if force {
		err = os.Rename(tmp, dest)
	} else {
		// link(2) fails when dest appeared meanwhile: no check-then-overwrite race.
		if err = os.Link(tmp, dest); err == nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("db: backup: %w", err)
	}
	syncDir(filepath.Dir(dest))
	fi, err := os.Stat(dest)
	if err != nil {
		return BackupInfo{}, err
	}
	return BackupInfo{Path: dest, Bytes: fi.Size(), Took: time.Since(start)}, nil
}

// openReadOnly opens path for reading only, with a busy timeout, without creating it.
func openReadOnly(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_busy_timeout", "10000")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	sdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	sdb.SetMaxOpenConns(1)
	return sdb, nil
}

// privateTemp creates an empty mode-0600 file beside path and returns its name.
func privateTemp(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("db: %w", err)
	}
	name := f.Name()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(name)
		return "", fmt.Errorf("db: %w", err)
	}
	f.Close()
	return name, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("db: sync %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// CheckBackup checks that path is a sound SQLite database of this bot: SQLite's quick_check passes and it has
// the bot's migrations table. It returns how many migrations the file has applied.
func CheckBackup(ctx context.Context, path string) (migrations int, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("db: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("db: %s is not a regular file", path)
	}
	sdb, err := openReadOnly(path)
	if err != nil {
		return 0, err
	}
	defer sdb.Close()
	var res string
	if err := sdb.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
		return 0, fmt.Errorf("db: %s is not a readable SQLite database: %w", path, err)
	}
	if res != "ok" {
		return 0, fmt.Errorf("db: %s fails SQLite's quick_check: %s", path, res)
	}
	if err := sdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations`).Scan(&migrations); err != nil {
		return 0, fmt.Errorf("db: %s is not a wecombot database (no migrations table): %w", path, err)
	}
	return migrations, nil
}

// RestoreInfo describes a finished restore.
type RestoreInfo struct {
	// Aside is where the database that was at the target went ("" if there was none); its WAL, if it had one,
	// went to Aside+"-wal", so it opens with every transaction it had committed.
	Aside string
}

// Restore puts a copy of the database file src in place of the database at dest. It holds dest's writer lock
// throughout, so it refuses (ErrInUse) while a bot runs on dest, and no bot can start on dest until it is done.
// src is checked first (CheckBackup). An existing dest is not deleted: it is renamed to
// dest+".before-restore-<UTC time>", with its WAL beside it, and its shared-memory index removed.
func Restore(ctx context.Context, src, dest string) (RestoreInfo, error) {
	return restore(ctx, dest, func(tmp string) error {
		if _, err := CheckBackup(ctx, src); err != nil {
			return err
		}
		return copyFile(src, tmp)
	})
}

// RestoreWith is Restore with the new database written by fill, which gets a path that does not exist yet
// (Litestream's restore insists on that) and must leave a database there.
func RestoreWith(ctx context.Context, dest string, fill func(path string) error) (RestoreInfo, error) {
	return restore(ctx, dest, func(tmp string) error {
		os.Remove(tmp)
		if err := fill(tmp); err != nil {
			return err
		}
		if err := os.Chmod(tmp, 0o600); err != nil {
			return fmt.Errorf("db: %w", err)
		}
		if _, err := CheckBackup(ctx, tmp); err != nil {
			return err
		}
		return syncFile(tmp)
	})
}

func restore(ctx context.Context, dest string, fill func(tmp string) error) (RestoreInfo, error) {
	var info RestoreInfo
	if _, err := os.Stat(filepath.Dir(dest)); err != nil {
		return info, fmt.Errorf("db: restore target: %w", err)
	}
	l, err := lockWriter(dest)
	if err != nil {
		return info, err
	}
	defer l.release()
	tmp, err := privateTemp(dest)
	if err != nil {
		return info, err
	}
	defer func() {
		os.Remove(tmp)
		os.Remove(tmp + "-wal")
		os.Remove(tmp + "-shm")
	}()
	if err := fill(tmp); err != nil {
		return info, err
	}
	if _, err := os.Lstat(dest); err == nil {
		info.Aside = fmt.Sprintf("%s.before-restore-%s", dest, time.Now().UTC().Format("20060102T150405Z"))
		if err := os.Rename(dest, info.Aside); err != nil {
			return RestoreInfo{}, fmt.Errorf("db: keep the old database aside: %w", err)
		}
		// The old WAL holds transactions not yet copied into the file: it goes with it, under the name SQLite
		// looks for. The shared-memory index is rebuilt from the WAL, and a stale one must not meet the new file.
		if err := os.Rename(dest+"-wal", info.Aside+"-wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return info, fmt.Errorf("db: keep the old WAL aside: %w", err)
		}
	}
	os.Remove(dest + "-shm")
	os.Remove(dest + "-wal") // none is left after the rename above; a stray one would be applied to the restored file
	if err := os.Rename(tmp, dest); err != nil {
		return info, fmt.Errorf("db: put the restored database in place: %w", err)
	}
	syncDir(filepath.Dir(dest))
	return info, nil
}

// copyFile copies src over the existing (empty, private) file dst and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("db: copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("db: sync %s: %w", dst, err)
	}
	return out.Close()
}
