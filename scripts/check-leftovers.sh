#!/usr/bin/env bash
# After the integration tests: fails if any container or image exists now that did not
# exist when scripts/make-test-images.sh --record DIR ran before them.
set -euo pipefail
dir=${1:?usage: check-leftovers.sh DIR}
[ -f "$dir/containers.before" ] || { echo "check-leftovers: no record in $dir (fixture_images did not run)"; exit 1; }
new_containers=$(comm -13 "$dir/containers.before" <(docker ps -aq --no-trunc | sort))
new_images=$(comm -13 "$dir/images.before" <(docker images -aq --no-trunc | sort -u))
status=0
if [ -n "$new_containers" ]; then
  echo "check-leftovers: containers left behind:"
  docker ps -a --no-trunc --filter "id=${new_containers%%$'\n'*}" --format '  {{.ID}} {{.Image}} {{.Command}}'
  echo "$new_containers" | sed 's/^/  /'
  status=1
fi
if [ -n "$new_images" ]; then
  echo "check-leftovers: images left behind:"
  for id in $new_images; do
    echo "  $id $(docker image inspect -f '{{.RepoTags}} {{.Config.Labels}}' "$id" 2>/dev/null)"
  done
  status=1
fi
[ $status -eq 0 ] && echo "check-leftovers: no leftovers"
exit $status
