// SPDX-License-Identifier: MIT
#include <errno.h>

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

int main(void)
{
	RUN_TEST(test_libvirt_domain);
	RUN_TEST(test_libvirt_domstatus);
	RUN_TEST(test_double_quotes);
	RUN_TEST(test_none);
	return TEST_EXIT_STATUS();
}
