#!/usr/bin/env python3
"""What a user gets from storage: `make run`'s persistent disk and `make run-debian`'s Debian root.

- make run: the initramfs of `make run` (initramfs/lichen.spec) with an ext4 disk made as the Makefile
  makes build/disk.img: init mounts it on /mnt/disk, a file written there and `poweroff` leave it
  e2fsck -fn clean with the file in it; a second boot reads the file back (and leaving the shell is
  clean too); a boot without a disk still reaches the prompt.
- make run-debian: tools/debian_root.py's small image (bash, coreutils, python3-minimal) booted with
  root=/dev/vda rw: the login bash's prompt, bash, /usr/bin, python3, a file written and synced;
  `poweroff` leaves the disk clean; a second boot finds the file. The same image boots on Debian's
  Linux (its initramfs loads the virtio and ext4 modules and switch_roots) with the same answers.
The Debian packages are downloaded once into build/debian-root/mini (mmdebstrap).

usage: tests/boot/test_run_disks.py [IMAGE] [--run-only|--debian-only]    (under flock /tmp/lichen-qemu.lock)
"""
import functools, os, shutil, subprocess, sys
print = functools.partial(print, flush=True)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import debian_root, lichen_diff, lichen_qemu, test_virtio   # noqa: E402

WORK = os.path.join(ROOT, "build", "run-disks")
results = []

# Typed at the Debian image's bash prompt (a script on the disk: short lines on the console).
DEBIAN_CHECKS = r"""echo "== bash"
bash -c 'echo ${BASH_VERSION%%.*}'
echo "== usrbin"
[ "$(ls /usr/bin | wc -l)" -gt 100 ] && echo "more than 100"
echo "== python"
python3 -c 'print(6*7)'
echo "== env"
echo "$PATH $HOME $TERM $$"
echo "== write"
echo "written on the first boot" > /root/kept.txt && sync && cat /root/kept.txt
echo "== end"
"""


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n    " + detail.replace("\n", "\n    ")))


def fsck_clean(label, image):
    fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    check(label + ": e2fsck -fn clean", fsck.returncode == 0, fsck.stdout + fsck.stderr)


def debugfs_cat(image, path):
    return subprocess.run(["debugfs", "-R", "cat " + path, image], capture_output=True, text=True).stdout


def boot(kernel_path, append="", initrd=None, disk=None, script=(), timeout=90):
    return lichen_qemu.boot(kernel_path, timeout=timeout, memory="512M", append=append, initrd=initrd,
                            extra=test_virtio.qemu_disk_list([(disk, False)]) if disk else (), input_script=script)


def make_run_disk(kernel_path):
    cpio = os.path.join(WORK, "initramfs.cpio.gz")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"),
                           os.path.join(ROOT, "initramfs", "lichen.spec"), cpio, "--gzip"], cwd=ROOT)
    disk = os.path.join(WORK, "disk.img")
    if os.path.exists(disk):
        os.unlink(disk)
    subprocess.check_call(["mke2fs", "-q", "-t", "ext4", "-L", "lichen-disk", disk, "256M"])   # as the Makefile

    first = boot(kernel_path, initrd=cpio, disk=disk, script=[
        ("/root # ", "grep ' /mnt/disk ' /proc/mounts; echo 'hello, disk' > /mnt/disk/note.txt; cd /mnt/disk; poweroff\n")])
    check("make run: init mounts the disk on /mnt/disk (ext4, rw)", "/dev/vda /mnt/disk ext4 rw" in first.output, first.output[-2000:])
    check("make run: the motd says where the disk is", "/mnt/disk" in first.output.split("/root # ")[0], first.output[-2000:])
    check("make run: poweroff (PID 1 unmounts the disk) powers off", not first.timed_out and "reboot: power down" in first.output,
          first.output[-2000:])
    fsck_clean("make run, after poweroff", disk)
    check("make run: the file is on the disk", debugfs_cat(disk, "/note.txt") == "hello, disk\n", debugfs_cat(disk, "/note.txt"))

    second = boot(kernel_path, initrd=cpio, disk=disk, script=[("/root # ", "echo; echo \"== note\"; cat /mnt/disk/note.txt; exit\n")])
    note = lichen_qemu.console_sections(second.output, keep_blank=False).get("note", [])
    check("make run: the second boot reads the file back", note[:1] == ["hello, disk"], second.output[-2000:])
    check("make run: leaving the shell powers off", not second.timed_out, second.output[-1000:])
    fsck_clean("make run, after exit", disk)

    bare = boot(kernel_path, initrd=cpio, script=[("/root # ", "ls /mnt/disk | wc -l; poweroff\n")])
    check("make run DISK=: no disk, no complaint, the prompt and poweroff",
          "/root # " in bare.output and "cannot mount" not in bare.output and not bare.timed_out, bare.output[-2000:])


def debian_boot(kernel, kernel_path, disk, linux_initrd, script):
    if kernel == "linux":
        return boot(kernel_path, append=lichen_diff.LINUX_APPEND, initrd=linux_initrd, disk=disk, script=script, timeout=150)
    return boot(kernel_path, append="root=/dev/vda rw rootfstype=ext4", disk=disk, script=script)


def run_debian(lichen_path):
    base = debian_root.make_image("mini", os.path.join(WORK, "debian-mini.img"), fresh=True)
    checks = os.path.join(WORK, "checks.sh")
    with open(checks, "w") as f:
        f.write(DEBIAN_CHECKS)
    subprocess.run(["debugfs", "-w", "-R", "write %s /root/checks.sh" % checks, base], check=True, capture_output=True)
    linux_initrd = debian_root.linux_initramfs(os.path.join(WORK, "linux-initramfs.cpio.gz"))
    answers = {}
    for kernel in ("linux", "lichen"):
        kernel_path = lichen_diff.ensure("linux") if kernel == "linux" else lichen_path
        disk = os.path.join(WORK, "debian-%s.img" % kernel)
        shutil.copy(base, disk)
        first = debian_boot(kernel, kernel_path, disk, linux_initrd, [("restarts.", "bash /root/checks.sh; poweroff\n")])
        sections = lichen_qemu.console_sections(first.output, keep_blank=False)
        answers[kernel] = sections
        check("%s run-debian: the login bash's prompt" % kernel, "# " in first.output.split("restarts.")[-1], first.output[-3000:])
        check("%s run-debian: the checks ran to the end" % kernel, "end" in sections, first.output[-3000:])
        check("%s run-debian: bash 5, /usr/bin, python3, the file" % kernel,
              sections.get("bash") == ["5"] and sections.get("usrbin") == ["more than 100"]
              and sections.get("python") == ["42"] and sections.get("write") == ["written on the first boot"], str(sections))
        check("%s run-debian: login environment" % kernel, (sections.get("env") or [""])[0].startswith(
              "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /root linux"), str(sections.get("env")))
        check("%s run-debian: poweroff (PID 1 remounts / read-only) powers off" % kernel, not first.timed_out, first.output[-2000:])
        fsck_clean("%s run-debian, after poweroff" % kernel, disk)

        second = debian_boot(kernel, kernel_path, disk, linux_initrd,
                             [("restarts.", "echo; echo '== kept'; cat /root/kept.txt; exit\n")])
        kept = lichen_qemu.console_sections(second.output, keep_blank=False).get("kept", [])
        check("%s run-debian: the second boot finds the file" % kernel, kept[:1] == ["written on the first boot"], second.output[-2000:])
        fsck_clean("%s run-debian, after exit" % kernel, disk)
    for name in ("bash", "usrbin", "python", "write"):
        check("run-debian: same as Linux: " + name, answers["lichen"].get(name) == answers["linux"].get(name),
              "Linux %s, Lichen %s" % (answers["linux"].get(name), answers["lichen"].get(name)))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    image = args[0] if args else os.path.join(ROOT, "build", "Image")
    os.makedirs(WORK, exist_ok=True)
    if "--debian-only" not in sys.argv:
        make_run_disk(image)
    if "--run-only" not in sys.argv:
        run_debian(image)
    failed = results.count(False)
    print("test_run_disks: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
