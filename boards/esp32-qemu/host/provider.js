// lwsx: the board's IO provider (the module "embedded:provider/builtin") for
// the esp32-qemu subplatform. The SDK's io manifest maps that module, for
// every esp32/<subplatform>, to <subplatform folder>/host/provider; a board
// defined outside the SDK (mcconfig -p esp32:./boards/esp32-qemu) brings its
// own. QEMU's ESP32 has no pins wired to anything: the IO classes, no defaults.
// UNVERIFIED: never built (see README.md).
import Analog from "embedded:io/analog";
import Digital from "embedded:io/digital";
import DigitalBank from "embedded:io/digitalbank";
import I2C from "embedded:io/i2c";
import PWM from "embedded:io/pwm";
import Serial from "embedded:io/serial";
import SPI from "embedded:io/spi";

export default {
	io: { Analog, Digital, DigitalBank, I2C, PWM, Serial, SPI },
	pin: {},
};
