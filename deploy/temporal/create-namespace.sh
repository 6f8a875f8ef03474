#!/bin/sh
# Registers the namespace amtsweg uses and its custom search attributes (the same list as
# libs/temporal/src/search-attributes.ts; none carries personal data). Idempotent.
set -eu
NAMESPACE="${NAMESPACE:-default}"
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"

echo "waiting for the Temporal frontend at $ADDRESS ..."
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do sleep 2; done

temporal operator namespace describe -n "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create -n "$NAMESPACE" --retention 30d --address "$ADDRESS"

for name in AmtswegProcess AmtswegCaseNumber AmtswegCaseStatus AmtswegOfficeId; do
  temporal operator search-attribute create -n "$NAMESPACE" --name "$name" --type Keyword --address "$ADDRESS" \
    || echo "search attribute $name exists"
done
echo "namespace $NAMESPACE is ready"
