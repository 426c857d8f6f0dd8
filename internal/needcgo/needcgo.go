// Package needcgo stops a build without cgo with a message that says why: SQLite (mattn/go-sqlite3) and its
// replication (litestream) are C, and the go command turns cgo off when it finds no C compiler.
package needcgo

// OK is true in a build with cgo; a build without it fails to compile (see nocgo.go).
const OK = true
