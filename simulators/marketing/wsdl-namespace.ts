/** The marketing simulator's target namespace (dialect A), shared by the parts of its WSDL. */
export const MARKETING_NAMESPACE = 'http://sim.gridbus.local/marketing';
