// Command pstest-server runs Google's in-memory Pub/Sub fake (pstest) as a standalone gRPC
// server on a loopback address, for Peregrine's broker tests. Clients reach it with
// PUBSUB_EMULATOR_HOST=127.0.0.1:PORT. It prints one "ready" line once it listens and stops
// on SIGINT/SIGTERM.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 8085, "port to listen on (0 picks a free one)")
	flag.Parse()

	addr := net.JoinHostPort(*host, strconv.Itoa(*port))
	srv, err := listen(addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pstest-server: cannot listen on %s: %v\n", addr, err)
		os.Exit(1)
	}
	fmt.Printf("pstest-server ready on %s\n", srv.Addr)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	sig := <-stop
	fmt.Printf("pstest-server stopping on %s\n", sig)
	_ = srv.Close()
}

// listen starts the fake; pstest panics when the address is taken, so turn that into an error.
func listen(addr string) (srv *pstest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return pstest.NewServerWithAddress(addr), nil
}
