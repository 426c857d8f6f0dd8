module github.com/wecombot/wecombot

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/google/go-cmp v0.7.0
	github.com/google/shlex v0.0.0-20191202100458-e7afc7fbc510
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/sourcegraph/conc v0.3.0
	github.com/yuin/goldmark v1.8.7
)

require (
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
)
