// Command printversion prints version.Get().Version, for TestLinkTimeVersion.
package main

import (
	"fmt"

	"github.com/trent-kms/trent/internal/version"
)

func main() { fmt.Println(version.Get().Version) }
