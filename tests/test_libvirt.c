// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "libvirt.h"

#define U1 "0d7f8a5e-4b1c-4f0e-9a3b-2c5d6e7f8a9b"
#define U2 "11111111-2222-3333-4444-555555555555"

static int uuid_of(const char *xml, char *ret)
{
	return libvirt_mdev_uuid(xml, ret);
}

static void test_libvirt_domain(void)
{
	char u[MDEV_UUID_LEN + 1];
	const char *xml =
		"<domain type='kvm'>\n"
		"  <name>win10</name>\n"
		"  <devices>\n"
		"    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
		"      <source><address domain='0x0000' bus='0x01' slot='0x00'/></source>\n"
		"    </hostdev>\n"
		"    <hostdev mode='subsystem' type='mdev' model='vfio-pci' display='on'>\n"
		"      <source>\n"
		"        <address uuid='" U1 "'/>\n"
		"      </source>\n"
		"      <address type='pci' domain='0x0000' bus='0x00' slot='0x05'/>\n"
		"    </hostdev>\n"
		"    <hostdev mode='subsystem' type='mdev'><source><address uuid='" U2 "'/>"
		"</source></hostdev>\n"
		"  </devices>\n"
		"</domain>\n";

	CHECK_INT_EQ(uuid_of(xml, u), 0);
	CHECK(strcmp(u, U1) == 0);
}

/*
 * What libvirt really writes to /run/libvirt/qemu/NAME.xml for a running VM:
 * a <domstatus> around the live <domain>, with the process's own state
 * first (monitor, vcpus, capability flags, device aliases).  Laid out as
 * libvirt 9.0's virDomainObjFormat() writes it.
 */
static void test_libvirt_domstatus(void)
{
	char u[MDEV_UUID_LEN + 1];
	const char *xml =
		"<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
		"OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n"
		"  virsh edit win10\nor other application using the libvirt API.\n-->\n\n"
		"<domstatus state='running' reason='booted' pid='4242'>\n"
		"  <taint flag='high-privileges'/>\n"
		"  <monitor path='/var/lib/libvirt/qemu/domain-1-win10/monitor.sock' type='unix'/>\n"
		"  <vcpus>\n    <vcpu id='0' pid='4250'/>\n  </vcpus>\n"
		"  <qemuCaps>\n    <flag name='kvm'/>\n    <flag name='vfio-pci'/>\n"
		"    <version>7002000</version>\n  </qemuCaps>\n"
		"  <devices>\n    <device alias='hostdev0'/>\n  </devices>\n"
		"  <libDir path='/var/lib/libvirt/qemu/domain-1-win10'/>\n"
		"  <chardevStdioLogd/>\n  <allowReboot value='yes'/>\n"
		"  <domain type='kvm' id='1'>\n"
		"    <name>win10</name>\n"
		"    <uuid>" U2 "</uuid>\n"
		"    <memory unit='KiB'>262144</memory>\n"
		"    <devices>\n"
		"      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
		"      <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci' "
		"display='off'>\n"
		"        <source>\n          <address uuid='" U1 "'/>\n        </source>\n"
		"        <alias name='hostdev0'/>\n"
		"        <address type='pci' domain='0x0000' bus='0x00' slot='0x05' "
		"function='0x0'/>\n"
		"      </hostdev>\n"
		"    </devices>\n"
		"    <seclabel type='none' model='none'/>\n"
		"  </domain>\n"
		"</domstatus>\n";

	CHECK_INT_EQ(uuid_of(xml, u), 0);
	CHECK(strcmp(u, U1) == 0);
}

static void test_double_quotes(void)
{
	char u[MDEV_UUID_LEN + 1];

	CHECK_INT_EQ(uuid_of("<hostdev mode=\"subsystem\" type=\"mdev\"><source>"
			     "<address uuid=\"" U2 "\"/></source></hostdev>", u), 0);
	CHECK(strcmp(u, U2) == 0);
}

static void test_none(void)
{
	char u[MDEV_UUID_LEN + 1];

	CHECK_INT_EQ(uuid_of("", u), -ENOENT);
	CHECK_INT_EQ(uuid_of("<domain><devices><hostdev type='pci'><source><address "
			     "uuid='" U1 "'/></source></hostdev></devices></domain>", u),
		     -ENOENT);
	/* A "mdevfoo" type, a subtype attribute, and broken UUIDs are not mdevs. */
	CHECK_INT_EQ(uuid_of("<hostdev type='mdevfoo'><address uuid='" U1 "'/></hostdev>", u),
		     -ENOENT);
	CHECK_INT_EQ(uuid_of("<hostdev subtype='mdev'><address uuid='" U1 "'/></hostdev>", u),
		     -ENOENT);
	CHECK_INT_EQ(uuid_of("<hostdev type='mdev'><address uuid='not-a-uuid'/></hostdev>", u),
		     -ENOENT);
	CHECK_INT_EQ(uuid_of("<hostdev type='mdev'><address uuid='" U1 "", u), -ENOENT);
	/* The address must be inside this hostdev. */
	CHECK_INT_EQ(uuid_of("<hostdev type='mdev'></hostdev><address uuid='" U1 "'/>", u),
		     -ENOENT);
}

/* A run and a conf directory of a pretend libvirt daemon. */
static char root[64];

static void put(const char *rel, const char *text)
{
	test_write_file(root, rel, text);
}

static struct libvirt_dirs pretend(void)
{
	struct libvirt_dirs d = { .uri = "qemu:///test" };

	snprintf(d.run, sizeof(d.run), "%s/run", root);
	snprintf(d.conf, sizeof(d.conf), "%s/conf", root);
	return d;
}

static void test_resolve(void)
{
	struct libvirt_dirs d = pretend();
	char u[MDEV_UUID_LEN + 1] = "", why[512];
	char path[256];
	pid_t pid = 0;

	/* Not defined anywhere: no such VM (exit 3), not "not running". */
	CHECK_INT_EQ(libvirt_resolve_in(&d, "win10", &pid, u, why, sizeof(why)), -ENOENT);
	CHECK_STR_CONTAINS(why, "no VM win10 in qemu:///test");
	/* Defined, not running. */
	put("conf/win10.xml", "<domain/>");
	CHECK_INT_EQ(libvirt_resolve_in(&d, "win10", &pid, u, why, sizeof(why)), -ESRCH);
	CHECK_STR_CONTAINS(why, "VM win10 (qemu:///test) is not running");
	/* Running, with its mdev. */
	put("run/win10.pid", "4242\n");
	put("run/win10.xml", "<domstatus><domain><devices><hostdev mode='subsystem' "
			     "type='mdev'><source><address uuid='" U1 "'/></source></hostdev>"
			     "</devices></domain></domstatus>");
	CHECK_INT_EQ(libvirt_resolve_in(&d, "win10", &pid, u, why, sizeof(why)), 0);
	CHECK_INT_EQ(pid, 4242);
	CHECK(!strcmp(u, U1));
	/* Running without an mdev. */
	put("run/win10.xml", "<domstatus><domain/></domstatus>");
	CHECK_INT_EQ(libvirt_resolve_in(&d, "win10", &pid, u, why, sizeof(why)), -ENODEV);
	CHECK_STR_CONTAINS(why, "VM win10 has no mdev <hostdev>");
	/* A status file that cannot be read says so, with its path. */
	snprintf(path, sizeof(path), "%s/run/win10.xml", root);
	unlink(path);
	mkdir(path, 0700);
	CHECK_INT_EQ(libvirt_resolve_in(&d, "win10", &pid, u, why, sizeof(why)), -EISDIR);
	CHECK_STR_CONTAINS(why, "cannot read ");
	CHECK_STR_CONTAINS(why, "/run/win10.xml: Is a directory");
	rmdir(path);
	put("run/win10.pid", "42x\n");
	CHECK_INT_EQ(libvirt_resolve_in(&d, "win10", &pid, u, why, sizeof(why)), -ESRCH);
	CHECK_STR_CONTAINS(why, "holds no pid");
	/* --libvirt-dir alone: no definitions to tell "not there" from "not running". */
	CHECK_INT_EQ(libvirt_resolve(NULL, d.run, "win11", &pid, u, why, sizeof(why)), -ESRCH);
	CHECK_STR_CONTAINS(why, "no VM win11 running in ");
	CHECK_INT_EQ(libvirt_resolve("qemu+ssh://h/system", NULL, "win10", &pid, u, why,
				     sizeof(why)), -EINVAL);
}

static void test_dirs(void)
{
	struct libvirt_dirs d;

	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	setenv("XDG_CONFIG_HOME", "/home/u/.cfg", 1);
	CHECK_INT_EQ(libvirt_dirs("qemu:///session", false, &d), 0);
	CHECK(!strcmp(d.run, "/run/user/1000/libvirt/qemu/run"));
	CHECK(!strcmp(d.conf, "/home/u/.cfg/libvirt/qemu"));
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/u", 1);
	CHECK_INT_EQ(libvirt_dirs(NULL, true, &d), 0);
	CHECK(!strcmp(d.conf, "/home/u/.config/libvirt/qemu"));
	CHECK(!strcmp(d.uri, "qemu:///session"));
	CHECK_INT_EQ(libvirt_dirs("qemu:///system", true, &d), 0);
	CHECK(!strcmp(d.run, "/run/libvirt/qemu") && !strcmp(d.conf, "/etc/libvirt/qemu"));
	CHECK_INT_EQ(libvirt_dirs("xen:///system", false, &d), -EINVAL);
	unsetenv("XDG_RUNTIME_DIR");
	CHECK_INT_EQ(libvirt_dirs("qemu:///session", false, &d), -ENOENT);
}

int main(void)
{
	RUN_TEST(test_libvirt_domain);
	RUN_TEST(test_libvirt_domstatus);
	RUN_TEST(test_double_quotes);
	RUN_TEST(test_none);

	snprintf(root, sizeof(root), "/tmp/vgpu-viewer-libvirt-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	if (chdir(root) || mkdir("run", 0700) || mkdir("conf", 0700))
		return 1;
	RUN_TEST(test_resolve);
	RUN_TEST(test_dirs);
	if (system("rm -rf run conf") || chdir("/") || rmdir(root))
		fprintf(stderr, "cannot remove %s\n", root);
	return TEST_EXIT_STATUS();
}
