package db_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/db"
)

func skipWithoutUnixModes(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("unix permission bits")
	}
}

// The database holds the access token and every decrypted message: its files are the owner's alone, whatever
// the umask.
func TestOpen_newFilesAreOwnerOnly(t *testing.T) {
	t.Parallel()
	skipWithoutUnixModes(t)
	path := filepath.Join(t.TempDir(), "bot.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// A write, so that the WAL and the shared-memory index exist.
	if _, err := d.Enqueue(t.Context(), item("k1", "lisi")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %04o; want 0600", filepath.Base(p), m)
		}
	}
}

func TestOpen_refusesFilesOthersCanRead(t *testing.T) {
	t.Parallel()
	skipWithoutUnixModes(t)
	for _, tt := range []struct {
		name   string
		suffix string // the file left open to others: "" the database, "-wal" its WAL
		mode   os.FileMode
	}{
		{"world-readable database", "", 0o644},
		{"group-readable database", "", 0o640},
		{"group-writable database", "", 0o620},
		{"world-readable WAL", "-wal", 0o644},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "bot.db")
			d, err := db.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Enqueue(t.Context(), item("k1", "lisi")); err != nil {
				t.Fatal(err)
			}
			d.Close()
			loose := path + tt.suffix
			if tt.suffix != "" { // a WAL left behind, as by a crash (Close removed the real one)
				if err := os.WriteFile(loose, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(loose, tt.mode); err != nil {
				t.Fatal(err)
			}
			d, err = db.Open(path)
			if err == nil {
				d.Close()
				t.Fatalf("opened a database whose %s has mode %04o; want a refusal", filepath.Base(loose), tt.mode)
			}
			if want := "chmod 600 " + loose; !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not say how to fix it (%q)", err, want)
			}
			// After the fix it opens.
			if err := os.Chmod(loose, 0o600); err != nil {
				t.Fatal(err)
			}
			d, err = db.Open(path)
			if err != nil {
				t.Fatalf("after chmod 600: %v", err)
			}
			d.Close()
		})
	}
}

func TestOpen_missingDirectorySaysSo(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "no-such-dir", "bot.db")
	_, err := db.Open(path)
	if err == nil || !strings.Contains(err.Error(), "mkdir -m 700 "+filepath.Dir(path)) {
		t.Fatalf("Open in a missing directory: %v; want an error saying to create it 0700", err)
	}
}
