import { fileURLToPath } from 'node:url';

/** The Five9 Admin Web Services v13 WSDL shipped with the package, and its local swaRef schema. */
export const WSDL_PATH = fileURLToPath(
  new URL('../wsdl/config_webservices_v13.wsdl', import.meta.url),
);
const SWAREF_PATH = fileURLToPath(new URL('../wsdl/swaref.xsd', import.meta.url));

/**
 * `wsdl_options` for the soap package: the WSDL imports the WS-I swaRef schema from a remote
 * URL; it is read from the package instead, so parsing the WSDL never goes to the network.
 */
export const wsdlOptions = {
  overrideImportLocation: (location: string) =>
    location.endsWith('swaref.xsd') ? SWAREF_PATH : location,
};
