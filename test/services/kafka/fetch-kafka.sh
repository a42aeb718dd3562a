#!/usr/bin/env bash
# Fetches the jars of a real Apache Kafka broker (KRaft) from Maven Central, once, into a cache
# folder, and prints that folder. The tests run the broker from it with `java`; nothing is mocked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
cache=${STOCK_STREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stock-stream}
libs="$cache/kafka-$version/libs"
stamp="$libs/.complete-$(sha256sum "$here/pom.xml" | cut -c1-16)"

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-kafka: '$tool' is missing; install it (Debian: apt-get install default-jdk-headless maven)" >&2
    exit 1
  fi
done

if [ ! -f "$stamp" ]; then
  rm -rf "$libs"
  mkdir -p "$libs"
  echo "fetch-kafka: fetching Apache Kafka $version jars from Maven Central into $libs" >&2
  if ! mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs" >&2; then
    echo "fetch-kafka: Maven could not fetch org.apache.kafka:kafka_2.13:$version" >&2
    exit 1
  fi
  touch "$stamp"
fi
echo "$libs"
