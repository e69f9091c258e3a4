import { buildIndexoHeaders, parseQwacCertificate } from '@finmesh/signing';

/**
 * The QWAC test certificate of INDEXO's own documentation samples (x-clientcert), valid
 * 2024-09-26 to 2034-09-24; the sandbox accepts any certificate in its validity period unless
 * fingerprints are pinned.
 */
export const DOCUMENTED_QWAC = parseQwacCertificate(
  [
  'MIIG5DCCBMygAwIBAgIUGsVIuXEO1TYNehhqwn0Ap6hCcXQwDQYJKoZIhvcNAQELBQAwgZsxCzAJBgNVBAYTAkxWMQ8wDQYDVQQI',
  'DAZMYXR2aWExDTALBgNVBAcMBFJpZ2ExGzAZBgNVBAoMEk9CSU1fQ0VSVF9ST0xFX0FMTDEbMBkGA1UECwwST0JJTV9DRVJUX1JP',
  'TEVfQUxMMRswGQYDVQQDDBJPQklNX0NFUlRfUk9MRV9BTEwxFTATBgNVBGEMDFRQUC1ST0xFLUFMTDAeFw0yNDA5MjYwODUyMjda',
  'Fw0zNDA5MjQwODUyMjdaMIGbMQswCQYDVQQGEwJMVjEPMA0GA1UECAwGTGF0dmlhMQ0wCwYDVQQHDARSaWdhMRswGQYDVQQKDBJP',
  'QklNX0NFUlRfUk9MRV9BTEwxGzAZBgNVBAsMEk9CSU1fQ0VSVF9ST0xFX0FMTDEbMBkGA1UEAwwST0JJTV9DRVJUX1JPTEVfQUxM',
  'MRUwEwYDVQRhDAxUUFAtUk9MRS1BTEwwggIiMA0GCSqGSIb3DQEBAQUAA4ICDwAwggIKAoICAQDHvxIDQwxpG6fhJk4FQj7M96dC',
  'aqXeztwiay6S8A+EPdn9o5oysYAx87giPa2ypNBey5g5zL+/TmuDqU875YgfGxdIARqYv3iaPE3noQ6qudKR1WtjhZi5AIz2AVoR',
  'deRJ2cnJzX5sEsFJ2+gg9pCwLxWUDs0ZM0aBBGyRSlAVZo0TkTQr1OnQ+D/hEvIg4z9hN5Zx1ZJ0+6xviFbZ4sMIU4RQvVXJEUTi',
  'lxjHqNRp1iq+IreiX2owgaFW+IaG3F6xtGO+kcNGdUtjL1DYfhf/3agiy8pQGs+fCTuKpaT6WN73lFB1qaf21F+QPJOqvkWe8Q2i',
  'QJUTHrtKO6K8wsZ7yxuHmEM6+4XJJsASfZqivqWlDTThUCs5kK4mQhhnT3zBEACJMl+v/cMtWjO0va8XDzhzgNzO8jP5AXm4fQWg',
  'a+T+o1F4Im4jQ670MsyKNiNK6Ls/VES00stqyaQ8k/XHdX2izWE8bRONd2OAauJ3kflxkUsYoCqnMAQzKEE/A0N13MZvTr7EPHDS',
  'at0iJlChQTPwY5Hnuy2xE1Tvgvd1mymC8u7kL0cx7nbCMdmxdAI26LCI46qkqMxh+ttUrDtbheg07R7L4qal+xt5UamPqcbJydcn',
  'ndDfROPdmPs+v0u4wJAJItaVxMW85OjATfr+HbMv+e8uNh6V7nTAdlOJgwIDAQABo4IBHDCCARgwggEGBggrBgEFBQcBAwSB+TCB',
  '9jAIBgYEAI5GAQEwOAYGBACORgEFMC4wLBYhaHR0cHM6Ly9leGFtcGxlLm9yZy9wa2lkaXNjbG9zdXJlEwdleGFtcGxlMIGIBgYE',
  'AIGYJwIwfjBMMBEGBwQAgZgnAQMMBlBTUF9BSTARBgcEAIGYJwEBDAZQU1BfQVMwEQYHBACBmCcBAgwGUFNQX1BJMBEGBwQAgZgn',
  'AQQMBlBTUF9JQwwlRHVtbXkgRmluYW5jaWFsIFN1cGVydmlzaW9uIEF1dGhvcml0eQwHWFgtREZTQTAlBgYEAI5GAQYwGwYHBACO',
  'RgEGAQYHBACORgEGAgYHBACORgEGAzAMBgNVHRMEBTADAQH/MA0GCSqGSIb3DQEBCwUAA4ICAQBlh+Ux7MDGjzWm32O+vDOnNbb8',
  'TQkooIWshg0K86JcpttwsAN3NDAl36Hwy+i1GG4MszVav3lFn/l6PIzBQuv2Ykcetkl/A83rGiA0jxQL/sfGRAv8r8cv0CMfNTog',
  'xb1Z4e5ouUKL+1h1XPmQfBdsFwyoepS4Byy2h5GJHp/VfgsFoe7FVZsRQ421XWL/bYjUyCUVfJYwESrzVULa8r2gGwLiwmS+znr0',
  '4kmcCLPzwK8MSP7Rt1fHb6mbfpivklqvDtezet2SHnjBYaPUprk5QhFkJ4unr5T+M3Teqr4V4HJUjcT+IqtyTRhSq9POZ6lkrrmT',
  'RnWf7u59yTvm4VVQ0wov0d0sdBorFU20lOlTVRyTi4lZ048ioqqLTaOl6MvHxKG+gHuUY+xG7AMujaSVPzUcprXO/AyJ6JvGGlBa',
  'f5OXo7D+R8X5qe9wZGbdGUFt1q0gvWb1WtLF/humzkGcM0G3aNT9N3a7HI89HX90BN2VvPeu1cxIz/Kpfh/Ji221PG5fiM/skLyu',
  'gFzMf2EhxCBNiLDkls1IIhISK0yUUDif7w4N0gRdxOpEYChRClQQP7sdCgXYxTocjnNkXXTP8Jya2OtvJh8qb6zpcNgu9YuVb5ng',
  's8nxcaFfcm177BHu23m9fHYGfYjvREmWW3CixBNGVuWrcITDLOlo6a6TXQ==',
  ].join(''),
);

export const DOCUMENTED_SUBSCRIPTION_KEY = '92044548c565426baecd52442f027fd1';
export const API = '/indexo/external/openbanking/api/v1';

/** The five INDEXO headers for a PSU, built with @finmesh/signing as a connector would. */
export function indexoHeaders(psuId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...buildIndexoHeaders({
      subscriptionKey: DOCUMENTED_SUBSCRIPTION_KEY,
      psuId,
      psuIpAddress: '83.99.204.49',
      certificate: DOCUMENTED_QWAC,
    }),
    'content-type': 'application/json',
    ...extra,
  };
}
