package main

import "fmt"

func main() { fmt.Println("goproxy: not yet") }
