/*
 * lwsx: start the OpenCores Ethernet MAC that Espressif's QEMU emulates
 * (qemu-system-xtensa -machine esp32 -nic user,model=open_eth), from JS:
 *
 *   import { start, address } from "openeth";
 *   start();                  // once; DHCP runs in the background
 *   address();                // "10.0.2.15" once leased, else undefined
 *
 * UNVERIFIED: written from ESP-IDF 5.x's documented Ethernet and esp_netif
 * API (esp_eth_mac_new_openeth, esp_eth_phy_new_dp83848,
 * esp_eth_driver_install, esp_eth_new_netif_glue, esp_netif_attach); it has
 * never been compiled or run. Needs CONFIG_ETH_USE_OPENETH=y
 * (boards/esp32-qemu/sdkconfig.defaults). QEMU only: the MAC does not exist
 * on a real chip.
 */

#include "xsmc.h"
#include "xsHost.h"

#include <stdio.h>
#include <string.h>

#include "esp_err.h"
#include "esp_event.h"
#include "esp_eth.h"
#include "esp_netif.h"
#include "sdkconfig.h"

#if !CONFIG_ETH_USE_OPENETH
#error "openeth needs CONFIG_ETH_USE_OPENETH=y (boards/esp32-qemu/sdkconfig.defaults)"
#endif

static esp_netif_t *gNetif = NULL;
static esp_eth_handle_t gEth = NULL;
static esp_eth_netif_glue_handle_t gGlue = NULL;
/* IPv4 address in network order, 0 until DHCP gives one; written by the
   event-loop task, read by the XS task (an aligned 32-bit store is atomic) */
static volatile uint32_t gAddress = 0;

static void onGotIP(void *arg, esp_event_base_t base, int32_t id, void *data)
{
	const ip_event_got_ip_t *event = (const ip_event_got_ip_t *)data;
	if (event->esp_netif != gNetif)
		return;
	gAddress = event->ip_info.ip.addr;
}

static void onLostIP(void *arg, esp_event_base_t base, int32_t id, void *data)
{
	gAddress = 0;
}

/* esp_event_loop_create_default() and esp_netif_init() may already have
   run (the Moddable SDK's network set-up calls them): that is not an error */
static esp_err_t tolerateStarted(esp_err_t err)
{
	return (ESP_ERR_INVALID_STATE == err) ? ESP_OK : err;
}

#define CHECK(call) do { esp_err_t err_ = (call); if (ESP_OK != err_) { stop(); xsUnknownError("openeth: %s: %s", #call, esp_err_to_name(err_)); } } while (0)

static void stop(void)
{
	if (gEth) {
		esp_eth_stop(gEth);
	}
	if (gGlue) {
		esp_eth_del_netif_glue(gGlue);
		gGlue = NULL;
	}
	if (gEth) {
		esp_eth_driver_uninstall(gEth);
		gEth = NULL;
	}
	if (gNetif) {
		esp_netif_destroy(gNetif);
		gNetif = NULL;
	}
	esp_event_handler_unregister(IP_EVENT, IP_EVENT_ETH_GOT_IP, onGotIP);
	esp_event_handler_unregister(IP_EVENT, IP_EVENT_ETH_LOST_IP, onLostIP);
	gAddress = 0;
}

/* start(): bring the interface up; DHCP client on (the default for an
   Ethernet esp_netif). Calling it again does nothing. Throws on failure. */
void xs_openeth_start(xsMachine *the)
{
	if (gEth)
		return;

	CHECK(tolerateStarted(esp_netif_init()));
	CHECK(tolerateStarted(esp_event_loop_create_default()));

	esp_netif_config_t netifConfig = ESP_NETIF_DEFAULT_ETH();
	gNetif = esp_netif_new(&netifConfig);
	if (!gNetif)
		xsUnknownError("openeth: esp_netif_new failed");

	eth_mac_config_t macConfig = ETH_MAC_DEFAULT_CONFIG();
	eth_phy_config_t phyConfig = ETH_PHY_DEFAULT_CONFIG();
	phyConfig.autonego_timeout_ms = 100;	/* the emulated link is up at once */
	esp_eth_mac_t *mac = esp_eth_mac_new_openeth(&macConfig);
	esp_eth_phy_t *phy = esp_eth_phy_new_dp83848(&phyConfig);
	if (!mac || !phy) {
		if (phy) phy->del(phy);
		if (mac) mac->del(mac);
		stop();
		xsUnknownError("openeth: no MAC or PHY instance (is this QEMU with -nic model=open_eth?)");
	}

	esp_eth_config_t ethConfig = ETH_DEFAULT_CONFIG(mac, phy);
	esp_err_t err = esp_eth_driver_install(&ethConfig, &gEth);
	if (ESP_OK != err) {
		gEth = NULL;
		phy->del(phy);
		mac->del(mac);
		stop();
		xsUnknownError("openeth: esp_eth_driver_install: %s", esp_err_to_name(err));
	}

	/* the emulated MAC has no factory address: use a locally administered one */
	uint8_t macAddress[6] = {0x02, 0x00, 0x00, 0x6c, 0x77, 0x73};
	CHECK(esp_eth_ioctl(gEth, ETH_CMD_S_MAC_ADDR, macAddress));

	gGlue = esp_eth_new_netif_glue(gEth);
	if (!gGlue) {
		stop();
		xsUnknownError("openeth: esp_eth_new_netif_glue failed");
	}
	CHECK(esp_netif_attach(gNetif, gGlue));

	CHECK(esp_event_handler_register(IP_EVENT, IP_EVENT_ETH_GOT_IP, onGotIP, NULL));
	CHECK(esp_event_handler_register(IP_EVENT, IP_EVENT_ETH_LOST_IP, onLostIP, NULL));
	CHECK(esp_eth_start(gEth));
}

/* address(): the leased IPv4 address as a dotted string, or undefined */
void xs_openeth_address(xsMachine *the)
{
	uint32_t a = gAddress;	/* network order: first octet in the low byte */
	char buffer[16];
	if (!a)
		return;
	snprintf(buffer, sizeof(buffer), "%u.%u.%u.%u",
		(unsigned)(a & 0xff), (unsigned)((a >> 8) & 0xff),
		(unsigned)((a >> 16) & 0xff), (unsigned)((a >> 24) & 0xff));
	xsmcSetString(xsResult, buffer);
}

/* stop(): tear the interface down (start() may be called again after) */
void xs_openeth_stop(xsMachine *the)
{
	stop();
}
