#!/usr/bin/env bash
# Runs one daemon of a single-node Ceph cluster (monitor, BlueStore OSD on a sparse file, or the RGW S3 gateway)
# in the foreground, creating what it needs on first start. Start them in that order, each once the one before
# answers.
# Usage: ceph.sh mon STATE_DIR MON_PORT
#        ceph.sh osd STATE_DIR MON_PORT
#        ceph.sh rgw STATE_DIR MON_PORT RGW_PORT   (S3 keys in EARLYBERT_S3_ACCESS_KEY / EARLYBERT_S3_SECRET_KEY)
set -euo pipefail

role=$1
state_dir=$(realpath -m "$2")
mon_port=$3
ceph_dir="$state_dir/ceph"
conf="$ceph_dir/ceph.conf"
admin_keyring="$ceph_dir/client.admin.keyring"

for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool; do
  if ! command -v "$tool" >/dev/null; then
    echo "Ceph is not installed ($tool is missing): apt-get install ceph-mon ceph-osd radosgw" >&2
    exit 1
  fi
done

ceph_cli() { ceph --conf "$conf" --keyring "$admin_keyring" --name client.admin --connect-timeout 10 "$@"; }

write_conf() {
  mkdir -p "$ceph_dir"/{run,log,mon,osd,rgw}
  local fsid
  fsid=$(cat "$ceph_dir/fsid" 2>/dev/null || true)
  if [[ -z "$fsid" ]]; then
    fsid=$(uuidgen)
    echo "$fsid" >"$ceph_dir/fsid"
  fi
  # Ports may differ between runs (tests pick free ones), so the file is rewritten at every monitor start.
  cat >"$conf.tmp" <<CONF
[global]
fsid = $fsid
mon_host = v2:127.0.0.1:$mon_port
public_addr = 127.0.0.1
ms_bind_ipv6 = false
ms_bind_msgr1 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
run_dir = $ceph_dir/run
log_file = $ceph_dir/log/\$name.log
log_to_stderr = false
err_to_stderr = true
mon_cluster_log_to_file = false
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_max_pg_per_osd = 1000

[mon]
admin_socket = $ceph_dir/run/\$name.asok
mon_data = $ceph_dir/mon/\$cluster-\$id
keyring = $ceph_dir/mon/\$cluster-\$id/keyring

[osd]
admin_socket = $ceph_dir/run/\$name.asok
osd_data = $ceph_dir/osd/\$cluster-\$id
keyring = $ceph_dir/osd/\$cluster-\$id/keyring
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = 21474836480
osd_memory_target = 536870912
bluestore_cache_autotune = false
bluestore_cache_size = 134217728
osd_op_num_shards = 1
osd_op_num_threads_per_shard = 2

[client.admin]
keyring = $admin_keyring

[client.rgw.a]
admin_socket = $ceph_dir/run/\$name.asok
keyring = $ceph_dir/rgw/keyring
rgw_data = $ceph_dir/rgw
rgw_thread_pool_size = 64
CONF
  mv "$conf.tmp" "$conf"
}

case "$role" in
  mon)
    write_conf
    if [[ ! -e "$ceph_dir/mon/ceph-a/done" ]]; then
      rm -rf "$ceph_dir/mon/ceph-a"
      tmp=$(mktemp -d)
      ceph-authtool --create-keyring "$tmp/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
      ceph-authtool --create-keyring "$admin_keyring" --gen-key -n client.admin \
        --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
      ceph-authtool "$tmp/mon.keyring" --import-keyring "$admin_keyring" >/dev/null
      monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$(cat "$ceph_dir/fsid")" "$tmp/monmap" >/dev/null
      ceph-mon --conf "$conf" --mkfs -i a --monmap "$tmp/monmap" --keyring "$tmp/mon.keyring"
      rm -rf "$tmp"
      touch "$ceph_dir/mon/ceph-a/done"
    fi
    # The monitor keeps its own address in its store: follow a changed port by rewriting the monmap.
    tmp=$(mktemp -d)
    ceph-mon --conf "$conf" -i a --extract-monmap "$tmp/monmap" >/dev/null 2>&1
    if ! monmaptool --print "$tmp/monmap" 2>/dev/null | grep -q "v2:127.0.0.1:$mon_port/"; then
      monmaptool --rm a "$tmp/monmap" >/dev/null
      monmaptool --addv a "[v2:127.0.0.1:$mon_port]" "$tmp/monmap" >/dev/null
      ceph-mon --conf "$conf" -i a --inject-monmap "$tmp/monmap" >/dev/null 2>&1
    fi
    rm -rf "$tmp"
    exec ceph-mon --conf "$conf" -f -i a
    ;;

  osd)
    osd_dir="$ceph_dir/osd/ceph-0"
    if [[ ! -e "$osd_dir/done" ]]; then
      rm -rf "$osd_dir"
      mkdir -p "$osd_dir"
      # The uuid outlives an interrupted first start, so that "osd new" (idempotent for the same uuid and
      # id) can simply be repeated.
      [[ -s "$ceph_dir/osd-uuid" ]] || uuidgen >"$ceph_dir/osd-uuid"
      uuid=$(cat "$ceph_dir/osd-uuid")
      ceph-authtool --create-keyring "$osd_dir/keyring" --gen-key -n osd.0 >/dev/null
      secret=$(ceph-authtool "$osd_dir/keyring" -n osd.0 -p)
      printf '{"cephx_secret": "%s"}' "$secret" >"$osd_dir/secret.json"
      ceph_cli osd new "$uuid" 0 -i "$osd_dir/secret.json" >/dev/null
      rm "$osd_dir/secret.json"
      ceph-osd --conf "$conf" -i 0 --mkfs --osd-uuid "$uuid" 2>"$ceph_dir/log/osd-mkfs.log"
      touch "$osd_dir/done"
    fi
    exec ceph-osd --conf "$conf" -f -i 0
    ;;

  rgw)
    rgw_port=$4
    access_key=${EARLYBERT_S3_ACCESS_KEY:?EARLYBERT_S3_ACCESS_KEY must hold the S3 access key}
    secret_key=${EARLYBERT_S3_SECRET_KEY:?EARLYBERT_S3_SECRET_KEY must hold the S3 secret key}
    if [[ ! -s "$ceph_dir/rgw/keyring" ]]; then
      ceph_cli auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' >"$ceph_dir/rgw/keyring"
    fi
    admin() { radosgw-admin --conf "$conf" --keyring "$admin_keyring" --name client.admin "$@" 2>>"$ceph_dir/log/radosgw-admin.log"; }
    # The keys are AppHost parameters that may change between runs: make sure the user has the current pair.
    if ! admin user info --uid earlybert >/dev/null; then
      admin user create --uid earlybert --display-name "EarlyBert" --access-key "$access_key" --secret-key "$secret_key" >/dev/null
    elif ! admin user info --uid earlybert | grep -q "\"access_key\": \"$access_key\""; then
      admin key create --uid earlybert --key-type s3 --access-key "$access_key" --secret-key "$secret_key" >/dev/null
    fi
    exec radosgw --conf "$conf" -f -n client.rgw.a --rgw-frontends "beast endpoint=127.0.0.1:$rgw_port"
    ;;

  *)
    echo "unknown role '$role': expected mon, osd or rgw" >&2
    exit 2
    ;;
esac
