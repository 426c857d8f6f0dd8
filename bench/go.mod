module github.com/wecombot/wecombot/bench

go 1.26.0

require (
	github.com/silenceper/wechat/v2 v2.1.10
	github.com/wecombot/wecombot v0.0.0
)

require (
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/mattn/go-sqlite3 v1.14.53 // indirect
	golang.org/x/crypto v0.12.0 // indirect
)

replace github.com/wecombot/wecombot => ../
