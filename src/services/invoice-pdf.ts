// An invoice or credit note as a PDF (pdfkit): the issuer's logo and profile, the customer's
// address and tax id, the grouped lines, taxes, totals and balances, the issuer's footer. It
// renders the document frozen at issue (InvoiceRow), so a PDF made later shows the same.
import PDFDocument from 'pdfkit';
import { LINE_GROUP_LABELS, coveredDays, type InvoiceLine, type LineGroup } from '../domain/invoices.ts';
import { formatMoney } from '../domain/money.ts';
import type { InvoiceRow, PartySnapshot } from '../db/repos/invoices.ts';

const MARGIN = 50;
const WIDTH = 595.28 - MARGIN * 2;
const GREY = '#555555';

export interface PdfOptions {
  decimals: number;
  logo: { data: Buffer; type: string } | null;
  /** The invoice a credit note corrects, by number. */
  corrects?: string | undefined;
}

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : '');

function partyLines(party: PartySnapshot): string[] {
  return [party.name, ...party.address.split(/\r?\n/).filter((line) => line.trim() !== ''), party.tax_id ? `Tax ID: ${party.tax_id}` : '', party.email]
    .filter((line) => line !== '');
}

function lineDetail(line: Pick<InvoiceLine, 'group' | 'calls' | 'minutes' | 'period_start' | 'period_end'>): string {
  if (line.group === 'calls') return `${line.calls ?? 0} calls, ${line.minutes ?? '0'} min`;
  const period = coveredDays(line);
  if (!period) return '';
  return period.to ? `${period.from} - ${period.to}` : `from ${period.from}`;
}

export function renderInvoicePdf(invoice: InvoiceRow, options: PdfOptions): Promise<Buffer> {
  const money = (amount: string) => formatMoney(amount, { currency: invoice.currency, decimals: options.decimals });
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: `${invoice.kind === 'credit_note' ? 'Credit note' : 'Invoice'} ${invoice.number}`, Author: invoice.issuer_snapshot.name } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  // Header: logo and issuer on the left, the document's identity on the right.
  let y = MARGIN;
  if (options.logo) {
    doc.image(options.logo.data, MARGIN, y, { fit: [140, 60] });
    y += 70;
  }
  doc.font('Helvetica-Bold').fontSize(11).fillColor('black');
  const issuer = partyLines(invoice.issuer_snapshot);
  doc.text(issuer[0] ?? '', MARGIN, y, { width: 260 });
  doc.font('Helvetica').fontSize(9).fillColor(GREY).text(issuer.slice(1).join('\n'), { width: 260 });
  const leftBottom = doc.y;

  const title = invoice.kind === 'credit_note' ? 'CREDIT NOTE' : 'INVOICE';
  doc.font('Helvetica-Bold').fontSize(22).fillColor('black').text(title, MARGIN + 280, MARGIN, { width: WIDTH - 280, align: 'right' });
  const facts: Array<[string, string]> = [
    ['Number', invoice.number],
    ['Issued', day(invoice.issued_at)],
    ...(invoice.kind === 'invoice' ? [['Period', lineDetail({ group: 'recurring_fees', calls: null, minutes: null, period_start: day(invoice.period_start), period_end: day(invoice.period_end) })] as [string, string]] : []),
    ...(options.corrects ? [['Corrects invoice', options.corrects] as [string, string]] : []),
    ...(invoice.due_at && invoice.status === 'open' ? [['Due', day(invoice.due_at)] as [string, string]] : []),
    ['Status', invoice.status === 'paid' ? 'PAID' : invoice.status === 'credited' ? 'CREDITED' : 'OPEN'],
  ];
  doc.fontSize(9);
  for (const [label, value] of facts) {
    doc.font('Helvetica').fillColor(GREY).text(`${label}: `, MARGIN + 280, doc.y, { width: WIDTH - 280, align: 'right', continued: true })
      .font('Helvetica-Bold').fillColor('black').text(value);
  }

  y = Math.max(leftBottom, doc.y) + 20;
  doc.font('Helvetica-Bold').fontSize(9).fillColor(GREY).text('BILL TO', MARGIN, y);
  const customer = partyLines(invoice.customer_snapshot);
  doc.font('Helvetica-Bold').fontSize(10).fillColor('black').text(customer[0] ?? '');
  doc.font('Helvetica').fontSize(9).fillColor(GREY).text(customer.slice(1).join('\n'));
  if (invoice.note) doc.moveDown(0.3).fillColor('black').text(invoice.note);
  y = doc.y + 18;

  // Lines, grouped.
  const columns = { description: MARGIN, detail: MARGIN + 250, amount: MARGIN + WIDTH - 110 };
  const row = (description: string, detail: string, amount: string, bold = false) => {
    if (y > 760) {
      doc.addPage();
      y = MARGIN;
    }
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9).fillColor('black');
    doc.text(description, columns.description, y, { width: 245 });
    const height = doc.y - y;
    doc.text(detail, columns.detail, y, { width: 150 });
    doc.text(amount, columns.amount, y, { width: 110, align: 'right' });
    y += Math.max(height, 12) + 3;
  };
  const rule = () => {
    doc.moveTo(MARGIN, y).lineTo(MARGIN + WIDTH, y).strokeColor('#cccccc').lineWidth(0.5).stroke();
    y += 5;
  };
  doc.font('Helvetica-Bold').fontSize(9).fillColor(GREY);
  doc.text('Description', columns.description, y).text('Period / usage', columns.detail, y).text('Amount', columns.amount, y, { width: 110, align: 'right' });
  y += 14;
  rule();
  const groups = [...new Set(invoice.lines.map((line) => line.group))] as LineGroup[];
  for (const group of groups) {
    row(LINE_GROUP_LABELS[group], '', '', true);
    for (const line of invoice.lines.filter((candidate) => candidate.group === group)) row(`  ${line.description}`, lineDetail(line), money(line.amount));
  }
  if (invoice.lines.length === 0) row('No charges in this period', '', '');
  rule();

  // Totals.
  const totals: Array<[string, string, boolean]> = [
    ['Subtotal', money(invoice.subtotal), false],
    ...invoice.taxes.map((tax) => [`${tax.name} (${tax.rate} %${tax.compound ? ', compound' : ''}) on ${money(tax.base)}`, money(tax.amount), false] as [string, string, boolean]),
    ['Total', money(invoice.total), true],
  ];
  if (invoice.kind === 'invoice') {
    totals.push(
      ['Payments and credits received', money(invoice.payments_total), false],
      ['Opening balance', money(invoice.opening_balance), false],
      ['Closing balance', money(invoice.closing_balance), false],
      ['Amount due', money(invoice.amount_due), true],
    );
  }
  for (const [label, amount, bold] of totals) row('', label, amount, bold);

  if (invoice.payments.length > 0) {
    y += 10;
    row('Payments and credits received', '', '', true);
    for (const payment of invoice.payments) row(`  ${payment.date}  ${payment.description}`, '', money(payment.amount));
  }

  const footer = invoice.issuer_snapshot.footer ?? '';
  if (footer) {
    doc.font('Helvetica').fontSize(8).fillColor(GREY).text(footer, MARGIN, 780, { width: WIDTH, align: 'center', height: 30 });
  }
  doc.end();
  return done;
}
