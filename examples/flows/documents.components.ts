// Components of document-pipeline.yaml: a field extractor (a stand-in for OCR or an LLM), a record store
// and a quarantine queue. Deterministic so the example runs anywhere.

export async function extract_fields(input: { name: string; text: string }) {
  const invoiceNumber = /invoice\s*(?:no\.?|number|#)?\s*(INV-\d+)/i.exec(input.text)?.[1];
  const total = /total[:\s]*([\d.]+)/i.exec(input.text)?.[1];
  const currency = /\b(EUR|USD|GBP)\b/.exec(input.text)?.[1];
  return {
    ...(invoiceNumber ? { invoiceNumber } : {}),
    ...(total ? { total: Number(total) } : {}),
    ...(currency ? { currency } : {}),
  };
}

export async function store_record(input: { name: string; record: { invoiceNumber: string } }) {
  return { id: `rec-${input.record.invoiceNumber}`, name: input.name };
}

export async function quarantine(input: { name: string; issues: unknown[] }) {
  return { queued: input.name, issues: input.issues.length };
}
