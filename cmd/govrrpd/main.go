package main

import "fmt"

func main() { fmt.Println("govrrpd: not yet") }
