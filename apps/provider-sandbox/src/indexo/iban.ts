/** IBANs (ISO 13616): format and the mod-97 check. */
const IBAN_FORMAT = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

export function hasIbanFormat(value: string): boolean {
  return IBAN_FORMAT.test(value);
}

export function isValidIban(value: string): boolean {
  return hasIbanFormat(value) && mod97(`${value.slice(4)}${value.slice(0, 4)}`) === 1;
}

/** A Latvian IBAN with correct check digits for a bank code and a 13-character account number. */
export function latvianIban(bankCode: string, accountNumber: string): string {
  const check = 98 - mod97(`${bankCode}${accountNumber}LV00`);
  return `LV${String(check).padStart(2, '0')}${bankCode}${accountNumber}`;
}

function mod97(text: string): number {
  let remainder = 0;
  for (const character of text) {
    const digits = String(Number.parseInt(character, 36));
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}
