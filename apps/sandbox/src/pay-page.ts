const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The payment provider's page the citizen is redirected to — clearly a simulator. */
export function payPage(p: { paymentId: string; amount: string; purpose: string; status: string }): string {
  const open = p.status === 'created';
  return `<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><title>SIMULATOR – ePayment</title>
<style>body{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}
.banner{background:#b00;color:#fff;padding:.75rem;font-weight:bold}
button{font-size:1rem;padding:.5rem 1rem;margin-right:1rem}</style></head>
<body>
<p class="banner">SIMULATOR — amtsweg sandbox. Hier wird kein echtes Geld bewegt. / No real money is moved here.</p>
<h1>Zahlung / Payment</h1>
<p>Verwendungszweck: ${esc(p.purpose)}</p>
<p>Betrag: ${esc(p.amount.replace('.', ','))} €</p>
<p>Status: <strong>${esc(p.status)}</strong></p>
${
  open
    ? `<form method="post" action="/pay/${encodeURIComponent(p.paymentId)}">
<button name="outcome" value="paid">Bezahlen (simuliert)</button>
<button name="outcome" value="failed">Abbrechen</button>
</form>`
    : '<p>Diese Zahlung ist abgeschlossen. / This payment is closed.</p>'
}
</body>
</html>
`;
}
