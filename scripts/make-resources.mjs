#!/usr/bin/env node
/**
 * Writes the demo shop: resources/demo-catalog.json and resources/images/*.svg. Deterministic:
 * the same script always writes the same bytes, so a diff shows only what was meant to change.
 *
 *   node scripts/make-resources.mjs           catalog + product images, then checks them
 *   node scripts/make-resources.mjs --icons   also renders resources/icon.svg to icon.png,
 *                                             icons/NxN.png and icon.ico (Chromium at
 *                                             /usr/bin/chromium or CHROMIUM_PATH)
 *
 * The catalog has the shape the Shopify sync produces (Money as decimal strings, a single
 * variant titled "Default Title" with the option Title), so the real catalog replaces it as is.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const RES = resolve(import.meta.dirname, '../resources');
const IMAGES = join(RES, 'images');

// ─── Palette ────────────────────────────────────────────────────────────────────────────────
const K = {
  ink: '#2B2233',
  espresso: '#4A2A1A',
  coffee: '#7A4A2B',
  crema: '#B9783F',
  milk: '#F4E6D3',
  foam: '#FFF8EE',
  shade: '#E9E0D5',
  orange: '#F7931A',
  orangeDk: '#D9770B',
  gold: '#E8A84C',
  goldDk: '#C47F2E',
  goldLt: '#F4C879',
  choc: '#5B3320',
  green: '#6DA35A',
  greenDk: '#4C7F3E',
  red: '#D9534A',
  yellow: '#F5C842',
  blue: '#3F8FCB',
  cream: '#FFF7EA',
};

/** Soft background and a deeper disc behind the object, one pair per category. */
const BG = {
  Coffee: ['#F4E8DC', '#E6CFB8'],
  Tea: ['#E8F1DF', '#CFE2BE'],
  'Cold drinks': ['#E2F1FA', '#BFDDF1'],
  Bakery: ['#FCF0D9', '#F4DBA9'],
  Snacks: ['#FBE7EA', '#F2C9D1'],
  Beans: ['#F6E5DB', '#E9C7B4'],
  Merch: ['#ECE8F7', '#D5CDEE'],
};

function svg(type, title, body, shadow = [100, 168, 54]) {
  const [bg, disc] = BG[type];
  const [sx, sy, rx] = shadow;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200"><title>${title}</title>` +
    `<rect width="200" height="200" fill="${bg}"/><circle cx="100" cy="100" r="80" fill="${disc}"/>` +
    `<ellipse cx="${sx}" cy="${sy}" rx="${rx}" ry="7" fill="#3A2A20" opacity=".13"/>${body}</svg>\n`
  );
}

/** A lightning bolt whose bounding box is h tall, centred on (cx, cy). */
function bolt(cx, cy, h, fill) {
  const w = h * 0.8;
  const pts = [
    [0.42, 0],
    [0.1, 0.58],
    [0.45, 0.58],
    [0.3, 1],
    [0.9, 0.38],
    [0.55, 0.38],
    [0.85, 0],
  ];
  const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${r1(cx - w / 2 + x * w)} ${r1(cy - h / 2 + y * h)}`);
  return `<path d="${d.join('')}Z" fill="${fill}"/>`;
}

const r1 = (n) => Math.round(n * 10) / 10;

/** A deterministic PRNG (mulberry32): the art's scattered seeds and the barcodes repeat. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ─── Drinks ─────────────────────────────────────────────────────────────────────────────────
const STEAM =
  '<path d="M84 62c-8-9 8-14 0-24M102 58c-8-9 8-14 0-24M120 62c-8-9 8-14 0-24" fill="none" ' +
  'stroke="#fff" stroke-width="5" stroke-linecap="round"/>';
const heart = (cx, cy, s, fill) =>
  `<path d="M${cx} ${cy + 7 * s}c${-16 * s} ${-4 * s} ${-18 * s} ${-12 * s} ${-9 * s} ${-13 * s}` +
  `c${5 * s} ${-1 * s} ${8 * s} ${2 * s} ${9 * s} ${4 * s}c${1 * s} ${-2 * s} ${4 * s} ${-5 * s} ${9 * s} ${-4 * s}` +
  `c${9 * s} ${1 * s} ${7 * s} ${9 * s} ${-9 * s} ${13 * s}z" fill="${fill}"/>`;

/** A cup on a saucer seen from slightly above; `top` draws on the drink's surface. */
function cup(surface, top = '', { steam = true, scale = 1 } = {}) {
  const body =
    '<ellipse cx="100" cy="150" rx="68" ry="14" fill="#fff"/>' +
    `<ellipse cx="100" cy="148" rx="44" ry="8" fill="${K.shade}"/>` +
    '<path d="M144 100c24-6 32 10 25 22s-20 14-32 11" fill="none" stroke="#fff" stroke-width="10" stroke-linecap="round"/>' +
    '<path d="M48 86h104c0 36-12 62-52 62s-52-26-52-62z" fill="#fff"/>' +
    `<path d="M128 86h24c0 36-12 62-52 62 28-8 28-42 28-62z" fill="${K.shade}"/>` +
    `<ellipse cx="100" cy="86" rx="52" ry="12" fill="${K.shade}"/>` +
    `<ellipse cx="100" cy="87" rx="46" ry="9" fill="${surface}"/>${top}`;
  const g =
    scale === 1 ? body : `<g transform="translate(100 150) scale(${scale}) translate(-100 -150)">${body}</g>`;
  return (steam ? STEAM.replace(/M(\d+) (\d+)/g, (_, x, y) => `M${x} ${scale === 1 ? y : +y + 26}`) : '') + g;
}

/** A paper take-away cup with a sleeve. */
function paperCup(cupFill, sleeve, logo) {
  return (
    STEAM.replace(/M(\d+) (\d+)/g, (_, x, y) => `M${x} ${+y - 22}`) +
    `<path d="M64 70h72l-10 98H74z" fill="${cupFill}"/><path d="M120 70h16l-10 98h-12z" fill="#000" opacity=".06"/>` +
    `<path d="M67 98h66l-4 40H71z" fill="${sleeve}"/>${logo}` +
    '<path d="M70 44h60l8 12H62z" fill="#5B4636"/><rect x="56" y="54" width="88" height="16" rx="5" fill="#3E3029"/>'
  );
}

const tallGlass = (layers) =>
  '<path d="M68 46h64l-6 118c0 3-2 4-5 4H79c-3 0-5-1-5-4z" fill="#fff" opacity=".5"/>' +
  layers +
  '<path d="M76 54h6l-3 104h-4z" fill="#fff" opacity=".7"/>' +
  '<path d="M68 46h64" stroke="#fff" stroke-width="4" stroke-linecap="round"/>';

/** Tea in a cup with the tea bag's string over the rim and its tag hanging out. */
const teaCup = (surface, tag) =>
  cup(
    surface,
    `<path d="M92 88L52 84c-6 2-8 12-8 26" fill="none" stroke="#fff" stroke-width="2"/>` +
      `<rect x="34" y="108" width="20" height="24" rx="3" fill="${tag}"/><circle cx="44" cy="114" r="2.5" fill="#fff"/>`,
  );

/** A bottle: liquid colour, label, cap, and extra drawing on the label. */
function bottle(liquid, label, cap, onLabel = '') {
  return (
    `<rect x="84" y="26" width="32" height="14" rx="3" fill="${cap}"/>` +
    `<path d="M88 40h24v16c0 6 22 12 22 30v72c0 6-4 10-10 10H76c-6 0-10-4-10-10V86c0-18 22-24 22-30z" fill="${liquid}"/>` +
    '<path d="M76 92c0-8 4-12 10-16v82h-10z" fill="#fff" opacity=".3"/>' +
    `<rect x="66" y="102" width="68" height="40" fill="${label}"/>${onLabel}`
  );
}

const iceCubes =
  '<g fill="#fff" opacity=".75"><rect x="76" y="76" width="20" height="20" rx="4" transform="rotate(-14 86 86)"/>' +
  '<rect x="100" y="82" width="20" height="20" rx="4" transform="rotate(18 110 92)"/>' +
  '<rect x="86" y="100" width="18" height="18" rx="4" transform="rotate(8 95 109)"/></g>';

const lemonWheel = (cx, cy, r) =>
  `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${K.yellow}"/><circle cx="${cx}" cy="${cy}" r="${r - 3}" fill="#FFF1A8"/>` +
  `<path d="M${cx - r + 4} ${cy}h${2 * r - 8}M${cx} ${cy - r + 4}v${2 * r - 8}" stroke="${K.yellow}" stroke-width="2"/>`;

const ART = {
  espresso: [
    'Coffee',
    'Espresso',
    cup('#A8672F', '<ellipse cx="100" cy="87" rx="30" ry="5" fill="#C58748"/>', { scale: 0.72 }),
    [100, 162, 44],
  ],
  americano: [
    'Coffee',
    'Americano',
    cup(K.espresso, '<ellipse cx="94" cy="85" rx="22" ry="3" fill="#6E3F22"/>'),
  ],
  cappuccino: [
    'Coffee',
    'Cappuccino',
    cup(
      '#B57A45',
      `<ellipse cx="100" cy="88" rx="35" ry="6.5" fill="${K.foam}"/>` +
        '<g fill="#8A5230"><circle cx="90" cy="86" r="1.6"/><circle cx="104" cy="89" r="1.6"/><circle cx="112" cy="86" r="1.4"/><circle cx="97" cy="91" r="1.3"/></g>',
    ),
  ],
  'flat-white': [
    'Coffee',
    'Flat white',
    cup(
      '#C28A55',
      heart(100, 88, 0.8, K.foam) + `<ellipse cx="100" cy="80.5" rx="5" ry="2" fill="${K.foam}"/>`,
    ),
  ],
  mocha: [
    'Coffee',
    'Mocha',
    cup(
      K.choc,
      `<path d="M58 88c0-20 18-34 42-34s42 14 42 34z" fill="${K.foam}"/>` +
        `<path d="M78 62c8 4 14-6 22 0s14-4 22 2M70 76c10 4 20-6 30 0s20-4 30 2" fill="none" stroke="${K.choc}" stroke-width="4" stroke-linecap="round"/>`,
      { steam: false },
    ),
  ],
  latte: [
    'Coffee',
    'Caffè latte',
    tallGlass(
      `<path d="M72 112h56l-2 52c0 3-2 4-5 4H79c-3 0-5-1-5-4z" fill="${K.milk}"/>` +
        `<path d="M71 84h58l-1 28H72z" fill="#B9804B"/><path d="M70 58h60l-1 26H71z" fill="${K.foam}"/>`,
    ) + `<rect x="116" y="28" width="6" height="60" rx="3" fill="#C9CDD3" transform="rotate(16 119 58)"/>`,
  ],
  cortado: [
    'Coffee',
    'Cortado',
    '<path d="M64 78h72l-6 80c0 4-3 6-7 6H77c-4 0-7-2-7-6z" fill="#fff" opacity=".5"/>' +
      `<path d="M66 118h68l-4 40c0 4-3 6-7 6H77c-4 0-7-2-7-6z" fill="${K.coffee}"/>` +
      '<path d="M65 96h70l-1 22H66z" fill="#D8A878"/>' +
      `<ellipse cx="100" cy="94" rx="34" ry="6" fill="${K.foam}"/>` +
      '<path d="M72 86h6l-3 70h-4z" fill="#fff" opacity=".7"/><ellipse cx="100" cy="78" rx="36" ry="5" fill="none" stroke="#fff" stroke-width="3"/>' +
      STEAM.replace(/M(\d+) (\d+)/g, (_, x, y) => `M${x} ${+y + 4}`),
  ],
  'lightning-latte': ['Coffee', 'Lightning latte', paperCup('#fff', K.orange, bolt(100, 118, 30, '#fff'))],
  'drip-coffee': [
    'Coffee',
    'Drip coffee',
    paperCup(
      '#fff',
      '#B98A5E',
      '<ellipse cx="100" cy="118" rx="11" ry="14" fill="#6F4329" transform="rotate(25 100 118)"/>' +
        '<path d="M96 106c7 7-5 17 4 24" fill="none" stroke="#B98A5E" stroke-width="2.5"/>',
    ),
  ],
  'pour-over': [
    'Coffee',
    'Pour-over',
    '<path d="M60 36h80l-28 60v6l26 44c5 9-1 20-11 20H73c-10 0-16-11-11-20l26-44v-6z" fill="#fff" opacity=".6"/>' +
      `<path d="M68 128h64l8 14c4 8-1 16-10 16H70c-9 0-14-8-10-16z" fill="${K.espresso}"/>` +
      '<path d="M64 38h72l-36 52z" fill="#fff"/>' +
      '<path d="M86 90h28l5 26H81z" fill="#B87B4B"/><circle cx="117" cy="106" r="4" fill="#6F4329"/>',
  ],

  // Tea
  'tea-english': ['Tea', 'English breakfast tea', teaCup('#C68B57', K.red)],
  'tea-earl-grey': ['Tea', 'Earl Grey tea', teaCup('#9C4F22', '#5B5FB0')],
  teapot: [
    'Tea',
    'Green tea',
    '<path d="M58 104c-16-2-22-12-30-30l-8 2c4 22 14 42 36 46z" fill="#fff"/><ellipse cx="24" cy="75" rx="5" ry="3" fill="#E9E0D5" transform="rotate(-16 24 75)"/>' +
      `<path d="M146 96c22-6 30 12 24 26s-18 16-28 12" fill="none" stroke="#fff" stroke-width="10" stroke-linecap="round"/>` +
      '<ellipse cx="100" cy="116" rx="52" ry="46" fill="#fff"/>' +
      `<path d="M128 80c18 10 26 30 22 48-4 18-18 30-50 34 36-14 40-56 28-82z" fill="${K.shade}"/>` +
      `<path d="M52 116h96" stroke="${K.green}" stroke-width="8"/><path d="M56 130h88" stroke="${K.green}" stroke-width="3"/>` +
      `<ellipse cx="100" cy="74" rx="30" ry="8" fill="${K.shade}"/><circle cx="100" cy="64" r="8" fill="${K.green}"/>`,
    [100, 166, 52],
  ],
  chai: [
    'Tea',
    'Chai latte',
    '<path d="M140 96c22-4 28 12 22 24s-18 14-28 10" fill="none" stroke="#C9683A" stroke-width="10" stroke-linecap="round"/>' +
      '<rect x="56" y="70" width="88" height="94" rx="14" fill="#C9683A"/><path d="M120 70h10c8 0 14 6 14 14v66c0 8-6 14-14 14h-10z" fill="#000" opacity=".08"/>' +
      `<ellipse cx="100" cy="72" rx="44" ry="10" fill="#A95430"/><ellipse cx="100" cy="73" rx="38" ry="7" fill="#E2C29C"/>` +
      '<rect x="106" y="34" width="10" height="50" rx="3" fill="#8B4A25" transform="rotate(20 111 59)"/>' +
      '<rect x="118" y="36" width="10" height="48" rx="3" fill="#A55A2D" transform="rotate(28 123 60)"/>' +
      '<path d="M56 110h88" stroke="#fff" stroke-width="5" opacity=".5"/>',
  ],
  matcha: ['Tea', 'Matcha latte', cup('#9DBE57', heart(100, 88, 0.85, K.foam))],
  'mint-tea': [
    'Tea',
    'Mint tea',
    `<path d="M86 56c-20-10-26-26-22-30 12 0 24 14 22 30z" fill="${K.green}"/>` +
      `<path d="M104 54c4-22 20-30 26-28 2 12-10 26-26 28z" fill="${K.greenDk}"/>` +
      `<path d="M96 58c-4-16 2-28 6-30 6 8 4 22-6 30z" fill="#8CC46E"/>` +
      '<path d="M66 56h68l-10 106c-1 4-4 6-8 6H84c-4 0-7-2-8-6z" fill="#fff" opacity=".45"/>' +
      '<path d="M70 72h60l-8 90c-1 3-3 4-6 4H84c-3 0-5-1-6-4z" fill="#B9A23A"/>' +
      `<path d="M67 62h66l-1 8H68z" fill="${K.gold}"/><path d="M77 130h46l-1 8H78z" fill="${K.gold}"/>` +
      '<path d="M78 78h5l-4 70h-3z" fill="#fff" opacity=".6"/>',
  ],
  'tea-tin': [
    'Tea',
    'Tea tin',
    '<rect x="58" y="56" width="84" height="110" rx="6" fill="#4D4A8F"/>' +
      '<rect x="54" y="44" width="92" height="24" rx="5" fill="#36336E"/>' +
      `<rect x="58" y="92" width="84" height="46" fill="${K.cream}"/>` +
      `<path d="M100 98c-14 8-14 26 0 34 14-8 14-26 0-34z" fill="${K.green}"/><path d="M100 102v26" stroke="${K.cream}" stroke-width="2"/>` +
      '<path d="M126 56h16v104c0 3-3 6-6 6h-10z" fill="#000" opacity=".12"/>',
  ],

  // Cold drinks
  'iced-latte': [
    'Cold drinks',
    'Iced latte',
    '<rect x="106" y="12" width="8" height="64" rx="3" fill="#2E9E6F" transform="rotate(14 110 44)"/>' +
      '<path d="M60 62h80l-10 102c0 3-3 5-6 5H76c-3 0-6-2-6-5z" fill="#fff" opacity=".55"/>' +
      '<path d="M64 90h72l-7 72c0 2-2 4-4 4H75c-2 0-4-2-4-4z" fill="#A8734A"/>' +
      '<path d="M64 90h72l-2 16c-22 8-46-8-68 0z" fill="#EDD6B8"/>' +
      iceCubes +
      '<path d="M56 62c0-20 20-32 44-32s44 12 44 32z" fill="#fff" opacity=".65"/><rect x="52" y="58" width="96" height="8" rx="4" fill="#fff"/>',
  ],
  'cold-brew': [
    'Cold drinks',
    'Cold brew',
    bottle(
      '#3E2418',
      '#D9B48A',
      '#1F1A1A',
      '<ellipse cx="100" cy="122" rx="10" ry="13" fill="#3E2418" transform="rotate(25 100 122)"/>' +
        '<path d="M96 111c6 6-4 15 4 22" fill="none" stroke="#D9B48A" stroke-width="2.5"/>',
    ),
  ],
  'iced-tea': [
    'Cold drinks',
    'Iced tea',
    '<rect x="112" y="18" width="8" height="70" rx="3" fill="#E4574C" transform="rotate(16 116 53)"/>' +
      '<path d="M62 56h76l-8 106c0 4-3 6-7 6H77c-4 0-7-2-7-6z" fill="#fff" opacity=".5"/>' +
      '<path d="M65 74h70l-7 88c0 3-2 4-5 4H77c-3 0-5-1-5-4z" fill="#D08A2E"/>' +
      iceCubes +
      lemonWheel(66, 60, 18),
  ],
  'water-sparkling': [
    'Cold drinks',
    'Sparkling water',
    bottle(
      '#7FC1EA',
      '#2F9E7A',
      '#23785C',
      '<path d="M80 122c10-10 30-10 40 0" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round"/>',
    ) +
      '<g fill="#fff"><circle cx="84" cy="152" r="3"/><circle cx="96" cy="158" r="2"/><circle cx="110" cy="150" r="3.5"/>' +
      '<circle cx="118" cy="160" r="2"/><circle cx="104" cy="92" r="2.5"/><circle cx="116" cy="86" r="2"/></g>',
  ],
  'water-still': [
    'Cold drinks',
    'Still water',
    bottle(
      '#7FC1EA',
      K.blue,
      '#2D6E9E',
      '<path d="M100 110c-8 10-12 16-12 20a12 12 0 0 0 24 0c0-4-4-10-12-20z" fill="#fff"/>',
    ),
  ],
  'orange-juice': [
    'Cold drinks',
    'Orange juice',
    bottle(
      '#F7A21B',
      '#fff',
      K.green,
      '<circle cx="100" cy="122" r="14" fill="#F7A21B"/><circle cx="100" cy="122" r="10" fill="#FFC757"/>' +
        '<path d="M90 122h20M100 112v20M93 115l14 14M107 115l-14 14" stroke="#F7A21B" stroke-width="1.5"/>',
    ),
  ],
  lemonade: [
    'Cold drinks',
    'Lemonade',
    bottle(
      '#F3DE6B',
      '#fff',
      '#E0B400',
      '<ellipse cx="100" cy="122" rx="16" ry="11" fill="#F5C842"/><ellipse cx="100" cy="122" rx="7" ry="4" fill="#FFF1A8"/>',
    ) +
      '<g fill="#fff" opacity=".7"><circle cx="84" cy="154" r="2.5"/><circle cx="112" cy="158" r="2"/><circle cx="118" cy="92" r="2"/></g>',
  ],
  kombucha: [
    'Cold drinks',
    'Ginger kombucha',
    bottle(
      '#C47F2E',
      '#2F6F5E',
      '#1D4A3F',
      `<path d="M86 126c4-8 10-6 14-12 6 4 10 2 14 8-4 4-8 10-14 8-6 4-10 0-14-4z" fill="${K.goldLt}"/>`,
    ),
  ],
  cola: [
    'Cold drinks',
    'Cola',
    '<rect x="66" y="44" width="68" height="122" rx="12" fill="#D9443C"/>' +
      '<ellipse cx="100" cy="46" rx="30" ry="6" fill="#C9CDD3"/><ellipse cx="100" cy="46" rx="22" ry="4" fill="#A9AEB6"/>' +
      '<rect x="66" y="150" width="68" height="16" rx="8" fill="#B8B9BE"/>' +
      '<path d="M66 104c22-18 46 14 68-6v16c-22 18-46-14-68 6z" fill="#fff"/>' +
      '<rect x="74" y="58" width="8" height="88" rx="4" fill="#fff" opacity=".35"/>',
  ],

  // Bakery
  croissant: ['Bakery', 'Croissant', croissant()],
  'almond-croissant': [
    'Bakery',
    'Almond croissant',
    croissant() +
      '<g fill="#F6E3C1">' +
      [
        [82, 92, -20],
        [98, 84, 10],
        [114, 96, 35],
        [92, 110, 60],
        [108, 116, -30],
        [70, 112, 20],
        [130, 112, -15],
      ]
        .map(([x, y, a]) => `<ellipse cx="${x}" cy="${y}" rx="6" ry="3" transform="rotate(${a} ${x} ${y})"/>`)
        .join('') +
      '</g><g fill="#fff" opacity=".8"><circle cx="88" cy="100" r="1.5"/><circle cx="104" cy="104" r="1.5"/><circle cx="120" cy="104" r="1.5"/><circle cx="96" cy="96" r="1.2"/></g>',
  ],
  'pain-au-chocolat': [
    'Bakery',
    'Pain au chocolat',
    `<rect x="38" y="74" width="124" height="78" rx="16" fill="${K.goldDk}"/>` +
      `<rect x="38" y="70" width="124" height="76" rx="16" fill="${K.gold}"/>` +
      `<path d="M38 94h12M38 122h12M150 94h12M150 122h12" stroke="${K.goldDk}" stroke-width="3"/>` +
      `<g fill="${K.choc}"><rect x="38" y="101" width="16" height="8" rx="3"/><rect x="146" y="101" width="16" height="8" rx="3"/>` +
      '<rect x="38" y="129" width="14" height="7" rx="3"/><rect x="148" y="129" width="14" height="7" rx="3"/></g>' +
      `<path d="M62 72c6 20 6 52 0 74M100 70c6 22 6 54 0 76M138 72c6 20 6 52 0 74" fill="none" stroke="${K.goldDk}" stroke-width="3"/>` +
      `<path d="M66 82c22-4 48-4 70 0" fill="none" stroke="${K.goldLt}" stroke-width="5" stroke-linecap="round"/>`,
    [100, 160, 64],
  ],
  muffin: [
    'Bakery',
    'Blueberry muffin',
    '<path d="M58 104h84l-10 60H68z" fill="#E46F5E"/>' +
      '<path d="M74 104l4 60M90 104l2 60M106 104l-1 60M122 104l-3 60" stroke="#F29A8C" stroke-width="4"/>' +
      '<path d="M48 106c-6-30 20-56 52-56s58 26 52 56c-2 6-6 8-12 8H60c-6 0-10-2-12-8z" fill="#D89A4E"/>' +
      '<path d="M62 76c10-12 24-18 38-18" fill="none" stroke="#EAB870" stroke-width="5" stroke-linecap="round"/>' +
      '<g fill="#4B4D9E"><circle cx="78" cy="86" r="6"/><circle cx="106" cy="74" r="6"/><circle cx="126" cy="92" r="6"/>' +
      '<circle cx="94" cy="100" r="5"/><circle cx="66" cy="104" r="5"/><circle cx="136" cy="106" r="4.5"/></g>',
    [100, 166, 44],
  ],
  'cinnamon-roll': ['Bakery', 'Cinnamon roll', cinnamonRoll(), [100, 160, 58]],
  'banana-bread': [
    'Bakery',
    'Banana bread',
    '<path d="M48 160V94c0-24 24-40 52-40s52 16 52 40v66z" fill="#8A4F24"/>' +
      '<path d="M56 156V96c0-18 20-32 44-32s44 14 44 32v60z" fill="#D9A35E"/>' +
      '<g fill="#8A4F24"><circle cx="76" cy="104" r="3"/><circle cx="118" cy="92" r="3"/><circle cx="92" cy="130" r="3.5"/>' +
      '<circle cx="128" cy="126" r="3"/><circle cx="104" cy="110" r="2.5"/><circle cx="74" cy="142" r="2.5"/><circle cx="116" cy="146" r="3"/></g>' +
      '<g fill="#F3D48C"><ellipse cx="90" cy="86" rx="7" ry="4"/><ellipse cx="124" cy="108" rx="6" ry="3.5"/><ellipse cx="80" cy="122" rx="6" ry="3.5"/></g>',
    [100, 164, 58],
  ],
  bagel: ['Bakery', 'Bagel', bagel(), [100, 160, 58]],
  cookie: ['Bakery', 'Chocolate chip cookie', cookie(), [100, 160, 56]],
  sourdough: [
    'Bakery',
    'Sourdough loaf',
    '<ellipse cx="100" cy="114" rx="66" ry="46" fill="#B7773C"/>' +
      '<ellipse cx="100" cy="106" rx="56" ry="34" fill="#D39A5A"/>' +
      '<path d="M62 104c18-22 58-22 76 0" fill="none" stroke="#8A5326" stroke-width="7" stroke-linecap="round"/>' +
      '<path d="M66 98c18-16 50-16 68 0" fill="none" stroke="#F1D3A4" stroke-width="4" stroke-linecap="round"/>' +
      '<g fill="#fff" opacity=".7"><circle cx="80" cy="122" r="2"/><circle cx="100" cy="128" r="2.5"/><circle cx="120" cy="120" r="2"/>' +
      '<circle cx="90" cy="82" r="1.8"/><circle cx="112" cy="80" r="2"/><circle cx="132" cy="92" r="1.6"/></g>',
    [100, 160, 64],
  ],

  // Snacks
  'chocolate-bar': [
    'Snacks',
    'Dark chocolate',
    '<g transform="rotate(-14 100 100)"><rect x="64" y="34" width="72" height="130" rx="6" fill="#5B3320"/>' +
      '<g fill="#6E4029">' +
      [40, 62]
        .flatMap((x) => [40, 62].map((y) => `<rect x="${x + 30}" y="${y}" width="18" height="18" rx="2"/>`))
        .join('') +
      '<rect x="114" y="40" width="16" height="18" rx="2"/><rect x="114" y="62" width="16" height="18" rx="2"/></g>' +
      '<path d="M60 92l9-6 9 6 9-6 9 6 9-6 9 6 9-6 9 6 9-6v78H60z" fill="#C0392B"/>' +
      `<rect x="60" y="112" width="80" height="22" fill="${K.gold}"/><path d="M60 124h80" stroke="#C0392B" stroke-width="2"/></g>`,
  ],
  almonds: [
    'Snacks',
    'Almonds',
    '<g fill="#C08552" stroke="#7E4A24" stroke-width="2">' +
      [
        [62, 98, 80],
        [86, 98, 100],
        [112, 98, 76],
        [138, 98, 104],
        [74, 84, 96],
        [100, 84, 70],
        [126, 84, 110],
        [88, 70, 84],
        [112, 70, 100],
      ]
        .map(
          ([x, y, a]) =>
            `<path d="M0-16c8 6 11 22 0 30C-11 6-8-10 0-16z" transform="translate(${x} ${y}) rotate(${a})"/>`,
        )
        .join('') +
      '</g><path d="M40 104h120c0 34-26 58-60 58S40 138 40 104z" fill="#4F78A8"/>' +
      '<path d="M40 104h120" stroke="#3E6591" stroke-width="6" stroke-linecap="round"/>' +
      '<path d="M60 126c8 14 20 22 36 24" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" opacity=".35"/>',
    [100, 166, 50],
  ],
  'granola-bar': [
    'Snacks',
    'Granola bar',
    '<g transform="rotate(-20 100 104)"><rect x="30" y="80" width="140" height="48" rx="12" fill="#C98F4A"/>' +
      '<rect x="30" y="80" width="140" height="42" rx="12" fill="#DDAA62"/>' +
      '<g fill="#F4D9A6">' +
      [42, 56, 70, 84, 98]
        .map(
          (x, i) =>
            `<ellipse cx="${x}" cy="${i % 2 ? 92 : 108}" rx="6" ry="3.5" transform="rotate(${i * 35} ${x} ${i % 2 ? 92 : 108})"/>`,
        )
        .join('') +
      '</g><g fill="#8A5326"><circle cx="50" cy="98" r="3"/><circle cx="78" cy="112" r="3"/><circle cx="92" cy="96" r="2.5"/></g>' +
      '<path d="M108 74l6 6-6 6 6 6-6 6 6 6-6 6 6 6-6 6 6 6v2h66V74z" fill="#3F8F6B"/>' +
      '<path d="M162 76v56M168 76v56" stroke="#2E6E51" stroke-width="2"/>' +
      `<rect x="124" y="94" width="30" height="20" rx="4" fill="${K.yellow}"/><path d="M130 104h18" stroke="#3F8F6B" stroke-width="3"/></g>`,
  ],
  'chips-sea-salt': ['Snacks', 'Kettle chips, sea salt', chipsBag('#2F7FC1', '#1F5F99')],
  'chips-salt-vinegar': ['Snacks', 'Kettle chips, salt and vinegar', chipsBag('#3E9E5A', '#2C7A43')],
  stroopwafel: [
    'Snacks',
    'Stroopwafel',
    '<defs><clipPath id="w"><circle cx="100" cy="104" r="54"/></clipPath></defs>' +
      '<circle cx="100" cy="108" r="58" fill="#A8672F"/><circle cx="100" cy="104" r="58" fill="#D39A52"/>' +
      '<g clip-path="url(#w)" stroke="#B57A3A" stroke-width="3">' +
      Array.from({ length: 11 }, (_, i) => {
        const o = i * 14 - 70;
        return `<path d="M${30 + o} 34l140 140M${170 + o} 34l-140 140"/>`;
      }).join('') +
      '</g><circle cx="100" cy="104" r="58" fill="none" stroke="#C0843E" stroke-width="5"/>',
    [100, 166, 58],
  ],

  // Beans
  'beans-genesis': ['Beans', 'Genesis house blend', beanBag('#C99B6B', '#A97C4E', K.cream, K.orange)],
  'beans-ethiopia': ['Beans', 'Ethiopia Yirgacheffe', beanBag('#2F6F5E', '#24574A', K.cream, K.yellow)],
  'beans-colombia': ['Beans', 'Colombia Huila', beanBag('#B8432F', '#933424', K.cream, '#2F6F5E')],
  'beans-decaf': ['Beans', 'Swiss Water decaf', beanBag('#3B5B92', '#2E4874', K.cream, '#7FC1EA')],
  'beans-espresso': ['Beans', 'Block Height espresso', beanBag(K.ink, '#1C1622', K.cream, K.orange)],

  // Merch
  tshirt: [
    'Merch',
    'T-shirt',
    `<path d="M74 44L42 58 24 94l26 12 12-18v76h76V88l12 18 26-12-18-36-32-14c-4 12-14 18-26 18s-22-6-26-18z" fill="${K.orange}"/>` +
      `<path d="M74 44c4 12 14 18 26 18s22-6 26-18l-6-2c-4 8-12 12-20 12s-16-4-20-12z" fill="${K.orangeDk}"/>` +
      bolt(100, 112, 40, '#fff'),
    [100, 170, 46],
  ],
  hoodie: [
    'Merch',
    'Hoodie',
    `<path d="M70 50L44 62 26 146l22 6 14-60v74h76V92l14 60 22-6-18-84-26-12z" fill="#4A4468"/>` +
      '<path d="M68 56c0-24 14-36 32-36s32 12 32 36c-6 10-18 16-32 16s-26-6-32-16z" fill="#3A3554"/>' +
      '<path d="M82 58c0-16 8-26 18-26s18 10 18 26c-5 5-11 7-18 7s-13-2-18-7z" fill="#221E33"/>' +
      `<path d="M92 66v22M108 66v22" stroke="${K.cream}" stroke-width="3" stroke-linecap="round"/>` +
      '<path d="M76 130h48l4 20H72z" fill="#3A3554"/>' +
      bolt(100, 104, 30, K.orange),
    [100, 170, 50],
  ],
  mug: [
    'Merch',
    'Ceramic mug',
    `<path d="M136 84c24-4 32 14 24 28s-20 16-28 12" fill="none" stroke="${K.orange}" stroke-width="12" stroke-linecap="round"/>` +
      `<rect x="52" y="58" width="88" height="104" rx="12" fill="${K.orange}"/>` +
      `<path d="M118 58h10c7 0 12 5 12 12v80c0 7-5 12-12 12h-10z" fill="${K.orangeDk}"/>` +
      `<ellipse cx="96" cy="60" rx="44" ry="10" fill="${K.orangeDk}"/><ellipse cx="96" cy="61" rx="38" ry="7" fill="#5B3A22"/>` +
      '<circle cx="94" cy="112" r="24" fill="#fff"/>' +
      bolt(94, 112, 30, K.orange),
  ],
  'enamel-mug': [
    'Merch',
    'Enamel mug',
    '<path d="M138 88c22-4 28 12 22 24s-16 14-26 10" fill="none" stroke="#2E4874" stroke-width="9" stroke-linecap="round"/>' +
      '<path d="M50 66h92v86c0 8-6 14-14 14H64c-8 0-14-6-14-14z" fill="#fff"/>' +
      '<path d="M120 66h22v86c0 8-6 14-14 14h-8z" fill="#E3E6EE"/>' +
      '<ellipse cx="96" cy="66" rx="46" ry="10" fill="#2E4874"/><ellipse cx="96" cy="67" rx="40" ry="7" fill="#D8DCE6"/>' +
      '<path d="M52 158c4 6 10 8 16 8h56c6 0 12-2 16-8" fill="none" stroke="#2E4874" stroke-width="5"/>' +
      '<g fill="#2E4874" opacity=".25"><circle cx="66" cy="128" r="1.5"/><circle cx="110" cy="140" r="1.5"/><circle cx="80" cy="96" r="1.2"/></g>' +
      bolt(94, 116, 34, K.orange),
  ],
  tote: [
    'Merch',
    'Tote bag',
    '<path d="M74 82V64c0-22 52-22 52 0v18" fill="none" stroke="#C2AA80" stroke-width="8"/>' +
      '<path d="M48 78h104l-6 88H54z" fill="#EFE1C6"/><path d="M132 78h20l-6 88h-18z" fill="#000" opacity=".06"/>' +
      `<circle cx="100" cy="122" r="26" fill="${K.orange}"/>` +
      bolt(100, 122, 32, '#fff'),
    [100, 170, 52],
  ],
  'reusable-cup': [
    'Merch',
    'Reusable cup',
    '<path d="M66 64h68l-10 100H76z" fill="#2F6F5E"/><path d="M116 64h18l-10 100h-14z" fill="#000" opacity=".12"/>' +
      `<path d="M69 100h62l-3 30H72z" fill="${K.orange}"/>` +
      '<rect x="60" y="50" width="80" height="16" rx="5" fill="#F2C9B6"/><path d="M72 38h56l6 12H66z" fill="#E8B09A"/>' +
      '<rect x="108" y="40" width="14" height="6" rx="3" fill="#2F6F5E"/>',
  ],
  dripper: [
    'Merch',
    'Pour-over dripper',
    '<path d="M78 134h44l12 28H66z" fill="#fff" opacity=".55"/><path d="M74 148h52l6 14H68z" fill="#4A2A1A" opacity=".85"/>' +
      '<path d="M148 70c18-2 22 14 14 22s-16 8-22 6" fill="none" stroke="#D9534A" stroke-width="8" stroke-linecap="round"/>' +
      '<path d="M48 52h104l-34 66H82z" fill="#D9534A"/><path d="M130 52h22l-34 66h-12z" fill="#000" opacity=".1"/>' +
      '<path d="M64 62l28 50M84 58l14 56M116 58l-14 56" stroke="#B8433B" stroke-width="3"/>' +
      '<ellipse cx="100" cy="52" rx="52" ry="8" fill="#B8433B"/><ellipse cx="100" cy="52" rx="44" ry="5" fill="#fff"/>' +
      '<rect x="70" y="116" width="60" height="10" rx="4" fill="#B8433B"/>',
  ],
};

function croissant() {
  const seg = (cx, cy, rx, ry, a, fill) =>
    `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="${fill}" transform="rotate(${a} ${cx} ${cy})"/>`;
  return (
    `<g stroke="${K.goldDk}" stroke-width="3">` +
    seg(42, 132, 18, 11, -28, '#D48A35') +
    seg(158, 132, 18, 11, 28, '#D48A35') +
    seg(66, 116, 22, 26, -22, '#E39E45') +
    seg(134, 116, 22, 26, 22, '#E39E45') +
    seg(100, 108, 30, 36, 0, '#EDB157') +
    '</g>' +
    `<path d="M86 86c8-6 20-6 28 0M84 104c10-4 22-4 32 0" fill="none" stroke="${K.goldLt}" stroke-width="4" stroke-linecap="round"/>`
  );
}

function cinnamonRoll() {
  const pts = [];
  for (let t = 0; t <= 6 * Math.PI; t += Math.PI / 10) {
    const r = 4 + (t / (2 * Math.PI)) * 15;
    pts.push(`${r1(100 + r * Math.cos(t))} ${r1(104 + r * Math.sin(t) * 0.92)}`);
  }
  return (
    '<ellipse cx="100" cy="108" rx="60" ry="56" fill="#B5692F"/><ellipse cx="100" cy="104" rx="58" ry="54" fill="#D8914A"/>' +
    `<polyline points="${pts.join(' ')}" fill="none" stroke="#9A5426" stroke-width="6" stroke-linecap="round"/>` +
    '<path d="M60 78l72 12-70 14 74 12-70 14" fill="none" stroke="#FFF7EA" stroke-width="4" stroke-linecap="round" stroke-linejoin="round" opacity=".9"/>'
  );
}

function bagel() {
  const rnd = prng(7);
  let seeds = '';
  for (let i = 0; i < 22; i++) {
    const a = rnd() * 2 * Math.PI;
    const r = 26 + rnd() * 22;
    const x = r1(100 + r * Math.cos(a));
    const y = r1(104 + r * Math.sin(a) * 0.9);
    seeds += `<ellipse cx="${x}" cy="${y}" rx="3.2" ry="1.8" transform="rotate(${Math.round(rnd() * 180)} ${x} ${y})"/>`;
  }
  return (
    '<ellipse cx="100" cy="110" rx="62" ry="56" fill="#A9652C"/><ellipse cx="100" cy="104" rx="60" ry="54" fill="#CF8C45"/>' +
    '<ellipse cx="100" cy="100" rx="46" ry="40" fill="#DDA055"/>' +
    '<ellipse cx="100" cy="106" rx="16" ry="13" fill="#A9652C"/><ellipse cx="100" cy="108" rx="14" ry="11" fill="#E6CFB0"/>' +
    `<g fill="#FFF4DA">${seeds}</g>`
  );
}

function cookie() {
  const chips = [
    [78, 84],
    [104, 76],
    [90, 108],
    [122, 102],
    [70, 122],
    [108, 132],
    [132, 128],
    [86, 144],
  ];
  return (
    '<defs><mask id="b"><rect width="200" height="200" fill="#fff"/><circle cx="152" cy="66" r="20" fill="#000"/>' +
    '<circle cx="162" cy="92" r="12" fill="#000"/></mask></defs>' +
    '<g mask="url(#b)"><circle cx="100" cy="108" r="58" fill="#B9793C"/><circle cx="100" cy="104" r="58" fill="#DDA864"/>' +
    '<g fill="#4A2A1A">' +
    chips.map(([x, y], i) => `<path d="M${x} ${y}l${7 + (i % 3)} -3 2 8 -8 4 -5 -5z"/>`).join('') +
    '</g><g fill="#C98E4E"><circle cx="96" cy="92" r="2"/><circle cx="118" cy="116" r="2"/><circle cx="76" cy="104" r="2"/></g></g>'
  );
}

function chipsBag(fill, dark) {
  return (
    `<path d="M56 38h88l-6 14 8 52-8 52 6 14H56l6-14-8-52 8-52z" fill="${fill}"/>` +
    `<path d="M56 38h88l-4 10H60zM56 170h88l-4-10H60z" fill="${dark}"/>` +
    '<path d="M62 44h76M62 164h76" stroke="#fff" stroke-width="1.5" stroke-dasharray="3 3" opacity=".6"/>' +
    [
      [86, 120, -20],
      [114, 118, 24],
      [100, 102, 4],
    ]
      .map(
        ([x, y, a]) =>
          `<g transform="translate(${x} ${y}) rotate(${a})"><path d="M-20 2c-2-14 14-22 28-16 12 6 16 20 4 26-10 6-30 4-32-10z" fill="${K.yellow}" stroke="#D99A1E" stroke-width="2"/>` +
          '<path d="M-10-4c6-4 14-4 18 0M-12 4c8-3 16-3 22 1" fill="none" stroke="#E5AE2E" stroke-width="2"/></g>',
      )
      .join('') +
    `<rect x="74" y="64" width="52" height="12" rx="6" fill="#fff" opacity=".85"/>`
  );
}

function beanBag(fill, dark, label, accent) {
  return (
    `<path d="M56 52h88l6 104c0 8-4 12-12 12H62c-8 0-12-4-12-12z" fill="${fill}"/>` +
    `<path d="M126 52h18l6 104c0 8-4 12-12 12h-8z" fill="#000" opacity=".1"/>` +
    `<rect x="52" y="36" width="96" height="20" rx="3" fill="${dark}"/>` +
    `<path d="M58 42h84M58 48h84" stroke="#fff" stroke-width="1.5" opacity=".35"/>` +
    `<circle cx="100" cy="72" r="6" fill="${dark}"/><circle cx="100" cy="72" r="2.5" fill="${fill}"/>` +
    `<rect x="66" y="90" width="68" height="58" rx="6" fill="${label}"/><rect x="66" y="90" width="68" height="12" rx="6" fill="${accent}"/>` +
    `<rect x="66" y="96" width="68" height="6" fill="${accent}"/>` +
    `<ellipse cx="100" cy="125" rx="11" ry="15" fill="${K.coffee}" transform="rotate(25 100 125)"/>` +
    `<path d="M96 112c7 7-5 18 4 26" fill="none" stroke="${label}" stroke-width="2.5"/>` +
    `<ellipse cx="150" cy="164" rx="7" ry="9" fill="${K.coffee}" transform="rotate(70 150 164)"/>` +
    `<ellipse cx="40" cy="160" rx="7" ry="9" fill="${K.espresso}" transform="rotate(-40 40 160)"/>`
  );
}

// ─── Catalog ────────────────────────────────────────────────────────────────────────────────
const HOUSE = "Satoshi's Corner";
const BAKEHOUSE = "Satoshi's Corner Bakehouse";
const ROASTER = 'Blockhouse Roasters';

/**
 * [title, productType, vendor, image, skuStem, option or null, variants, extra]
 * option: [name, values] or [[name, values], [name, values]] for two options.
 * variants: one entry per combination: [price, inventory, {compareAt, sku: null, barcode: null, image}].
 */
const S = ['Small', 'Medium', 'Large'];
const SPEC = [
  ['Espresso', 'Coffee', HOUSE, 'espresso', 'COF-ESP', ['Shot', ['Single', 'Double']], [['3.00'], ['3.75']]],
  ['Americano', 'Coffee', HOUSE, 'americano', 'COF-AME', ['Size', S], [['3.25'], ['3.75'], ['4.25']]],
  ['Cappuccino', 'Coffee', HOUSE, 'cappuccino', 'COF-CAP', ['Size', S], [['4.00'], ['4.50'], ['5.00']]],
  ['Caffè Latte', 'Coffee', HOUSE, 'latte', 'COF-LAT', ['Size', S], [['4.25'], ['4.75'], ['5.25']]],
  ['Flat White', 'Coffee', HOUSE, 'flat-white', 'COF-FLW', null, [['4.50']]],
  ['Cortado', 'Coffee', HOUSE, 'cortado', 'COF-COR', null, [['4.00']]],
  ['Mocha', 'Coffee', HOUSE, 'mocha', 'COF-MOC', ['Size', S], [['4.75'], ['5.25'], ['5.75']]],
  [
    'Lightning Latte',
    'Coffee',
    HOUSE,
    'lightning-latte',
    'COF-LTN',
    ['Size', S],
    [['5.00'], ['5.50'], ['6.00']],
  ],
  ['Drip Coffee', 'Coffee', HOUSE, 'drip-coffee', 'COF-DRP', ['Size', S], [['2.50'], ['3.00'], ['3.50']]],
  [
    'Pour-Over, Single Origin',
    'Coffee',
    HOUSE,
    'pour-over',
    'COF-POV',
    null,
    [['5.50', null, { barcode: null }]],
  ],

  [
    'English Breakfast Tea',
    'Tea',
    HOUSE,
    'tea-english',
    'TEA-ENB',
    ['Size', ['Regular', 'Large']],
    [['2.75'], ['3.25']],
  ],
  [
    'Earl Grey Tea',
    'Tea',
    HOUSE,
    'tea-earl-grey',
    'TEA-EGR',
    ['Size', ['Regular', 'Large']],
    [['2.75'], ['3.25']],
  ],
  ['Sencha Green Tea', 'Tea', HOUSE, 'teapot', 'TEA-SEN', null, [['3.00']]],
  ['Chai Latte', 'Tea', HOUSE, 'chai', 'TEA-CHA', ['Size', S], [['4.00'], ['4.50'], ['5.00']]],
  ['Matcha Latte', 'Tea', HOUSE, 'matcha', 'TEA-MAT', ['Size', S], [['4.75'], ['5.25'], ['5.75']]],
  ['Fresh Mint Tea', 'Tea', HOUSE, 'mint-tea', null, null, [['3.00', null, { barcode: null }]]],
  ['Chamomile Tea', 'Tea', HOUSE, null, 'TEA-CHM', null, [['2.75']]],
  [
    'Earl Grey Loose Leaf Tin, 100 g',
    'Tea',
    'Leaf & Ledger Tea Co.',
    'tea-tin',
    'TEA-TIN-EGR',
    null,
    [['12.00', 14]],
  ],

  [
    'Iced Latte',
    'Cold drinks',
    HOUSE,
    'iced-latte',
    'CLD-ICL',
    ['Size', ['Medium', 'Large']],
    [['4.75'], ['5.25']],
  ],
  ['Cold Brew, 330 ml Bottle', 'Cold drinks', ROASTER, 'cold-brew', 'CLD-CBR', null, [['4.95', 18]]],
  [
    'Iced Lemon Tea',
    'Cold drinks',
    HOUSE,
    'iced-tea',
    'CLD-ILT',
    ['Size', ['Medium', 'Large']],
    [['3.25'], ['3.75']],
  ],
  [
    'Sparkling Water, 500 ml',
    'Cold drinks',
    'Clearbrook Springs',
    'water-sparkling',
    'CLD-WSP',
    null,
    [['2.25', 40]],
  ],
  [
    'Still Water, 500 ml',
    'Cold drinks',
    'Clearbrook Springs',
    'water-still',
    'CLD-WST',
    null,
    [['2.00', 48]],
  ],
  [
    'Fresh Orange Juice, 330 ml',
    'Cold drinks',
    'Sunny Grove',
    'orange-juice',
    'CLD-OJ',
    null,
    [['3.75', 16]],
  ],
  ['Cloudy Lemonade, 330 ml', 'Cold drinks', 'Sunny Grove', 'lemonade', 'CLD-LEM', null, [['3.50', 20]]],
  [
    'Ginger Kombucha, 355 ml',
    'Cold drinks',
    'Wild Ferment Co.',
    'kombucha',
    'CLD-KOM',
    null,
    [['4.50', 12, { compareAt: '5.00' }]],
  ],
  ['Cola, 330 ml Can', 'Cold drinks', 'Fizzwell', 'cola', 'CLD-COLA', null, [['2.50', 36]]],

  ['Butter Croissant', 'Bakery', BAKEHOUSE, 'croissant', 'BAK-CRO', null, [['3.25', 18]]],
  ['Pain au Chocolat', 'Bakery', BAKEHOUSE, 'pain-au-chocolat', 'BAK-PAC', null, [['3.75', 12]]],
  [
    'Almond Croissant',
    'Bakery',
    BAKEHOUSE,
    'almond-croissant',
    'BAK-ALM',
    null,
    [['4.25', 8, { compareAt: '4.75' }]],
  ],
  ['Blueberry Muffin', 'Bakery', BAKEHOUSE, 'muffin', 'BAK-MUF', null, [['3.50', 10]]],
  ['Cinnamon Roll', 'Bakery', BAKEHOUSE, 'cinnamon-roll', 'BAK-CIN', null, [['4.00', 9]]],
  ['Banana Bread, Slice', 'Bakery', BAKEHOUSE, 'banana-bread', 'BAK-BAN', null, [['3.25', 14]]],
  [
    'Bagel',
    'Bakery',
    BAKEHOUSE,
    'bagel',
    'BAK-BAG',
    ['Type', ['Plain', 'Sesame', 'Everything']],
    [
      ['2.75', 12],
      ['3.00', 10],
      ['3.00', 8, { barcode: null }],
    ],
  ],
  ['Chocolate Chip Cookie', 'Bakery', BAKEHOUSE, 'cookie', 'BAK-CCC', null, [['2.50', 24]]],
  ['Sourdough Loaf', 'Bakery', BAKEHOUSE, 'sourdough', null, null, [['8.50', 6, { barcode: null }]]],
  ['Almond Biscotti', 'Bakery', BAKEHOUSE, null, 'BAK-BIS', null, [['2.25', 20]]],

  [
    'Dark Chocolate 70%, 80 g',
    'Snacks',
    'Northfield Chocolate',
    'chocolate-bar',
    'SNK-CHO',
    null,
    [['5.50', 22]],
  ],
  ['Sea Salt Almonds, 100 g', 'Snacks', 'Orchard Lane', 'almonds', 'SNK-ALM', null, [['4.50', 15]]],
  ['Oat & Honey Granola Bar', 'Snacks', 'Trailhead Foods', 'granola-bar', 'SNK-GRA', null, [['2.75', 30]]],
  [
    'Kettle Chips, 40 g',
    'Snacks',
    'Crisp & Co.',
    'chips-sea-salt',
    'SNK-CHP',
    ['Flavor', ['Sea Salt', 'Salt & Vinegar']],
    [
      ['2.25', 18, { image: 'chips-sea-salt' }],
      ['2.25', 14, { image: 'chips-salt-vinegar' }],
    ],
  ],
  ['Caramel Stroopwafel', 'Snacks', 'Golden Mill', 'stroopwafel', 'SNK-STW', null, [['2.00', 40]]],

  [
    'Genesis House Blend',
    'Beans',
    ROASTER,
    'beans-genesis',
    'BNS-GEN',
    [
      ['Weight', ['250 g', '1 kg']],
      ['Grind', ['Whole bean', 'Ground']],
    ],
    [
      ['14.00', 20],
      ['14.00', 12],
      ['38.00', 6],
      ['38.00', 3],
    ],
  ],
  [
    'Ethiopia Yirgacheffe',
    'Beans',
    ROASTER,
    'beans-ethiopia',
    'BNS-ETH',
    ['Weight', ['250 g', '1 kg']],
    [
      ['16.50', 14],
      ['45.00', 4],
    ],
  ],
  [
    'Colombia Huila',
    'Beans',
    ROASTER,
    'beans-colombia',
    'BNS-COL',
    ['Weight', ['250 g', '1 kg']],
    [
      ['15.00', 16],
      ['42.00', 5],
    ],
  ],
  [
    'Swiss Water Decaf',
    'Beans',
    ROASTER,
    'beans-decaf',
    'BNS-DEC',
    ['Weight', ['250 g', '1 kg']],
    [
      ['15.50', 9],
      ['39.00', 3, { compareAt: '44.00' }],
    ],
  ],
  [
    'Block Height Espresso',
    'Beans',
    ROASTER,
    'beans-espresso',
    'BNS-BHE',
    ['Weight', ['250 g', '1 kg']],
    [
      ['14.50', 18],
      ['40.00', 7],
    ],
  ],

  [
    "Satoshi's Corner T-Shirt",
    'Merch',
    HOUSE,
    'tshirt',
    'MER-TEE',
    ['Size', ['S', 'M', 'L', 'XL']],
    [
      ['25.00', 6],
      ['25.00', 9],
      ['25.00', 7],
      ['25.00', 0],
    ],
  ],
  [
    'Lightning Hoodie',
    'Merch',
    HOUSE,
    'hoodie',
    'MER-HOOD',
    ['Size', ['M', 'L', 'XL']],
    [
      ['45.00', 4],
      ['45.00', 5],
      ['45.00', 2],
    ],
  ],
  ['Ceramic Mug, 350 ml', 'Merch', HOUSE, 'mug', 'MER-MUG', null, [['16.00', 11, { compareAt: '20.00' }]]],
  ['Enamel Camp Mug', 'Merch', HOUSE, 'enamel-mug', 'MER-ENM', null, [['14.00', 9]]],
  ['Canvas Tote Bag', 'Merch', HOUSE, 'tote', 'MER-TOTE', null, [['18.00', 13]]],
  ['Reusable Cup, 12 oz', 'Merch', HOUSE, 'reusable-cup', 'MER-CUP', null, [['15.00', 10]]],
  ['Ceramic Pour-Over Dripper', 'Merch', HOUSE, 'dripper', 'MER-DRIP', null, [['28.00', 5]]],
  ['Sticker Pack', 'Merch', HOUSE, null, 'MER-STK', null, [['4.00', 50, { barcode: null }]]],
];

/** GS1 check digit for a GTIN body of any length: weights 3,1,3… from the right. */
function checkDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = Number(body[body.length - 1 - i]);
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

// House-made items carry in-store EAN-13s (GS1 prefix 20–29, "restricted circulation", so they
// can never collide with a manufacturer's code); packaged goods carry their maker's UPC-A.
const COMPANY_PREFIX = {
  [ROASTER]: '081274',
  'Leaf & Ledger Tea Co.': '085963',
  'Clearbrook Springs': '071462',
  'Sunny Grove': '088315',
  'Wild Ferment Co.': '086247',
  Fizzwell: '049387',
  'Northfield Chocolate': '083719',
  'Orchard Lane': '072958',
  'Trailhead Foods': '087651',
  'Crisp & Co.': '084132',
  'Golden Mill': '087402',
  [HOUSE]: null,
  [BAKEHOUSE]: null,
};

const SKU_CODE = {
  ...{ Small: 'S', Medium: 'M', Large: 'L', Regular: 'R', Single: '1', Double: '2' },
  ...{ S: 'S', M: 'M', L: 'L', XL: 'XL', '250 g': '250', '1 kg': '1K', 'Whole bean': 'WB', Ground: 'GR' },
  ...{ Plain: 'PLN', Sesame: 'SES', Everything: 'EVR', 'Sea Salt': 'SS', 'Salt & Vinegar': 'SV' },
};

const TAX_FREE = new Set(['Beans']); // unprepared food: exempt in most US states

function buildCatalog() {
  const digits = prng(21_000_000);
  const used = new Set();
  function barcode(vendor) {
    for (;;) {
      const prefix = COMPANY_PREFIX[vendor];
      let body = prefix ?? '21';
      while (body.length < (prefix ? 11 : 12)) body += Math.floor(digits() * 10);
      const code = body + checkDigit(body);
      if (!used.has(code.padStart(14, '0'))) {
        used.add(code.padStart(14, '0'));
        return code;
      }
    }
  }

  let productId = 1001;
  let variantId = 2001;
  const products = SPEC.map(([title, productType, vendor, image, skuStem, option, variants]) => {
    const options =
      option === null ? [['Title', ['Default Title']]] : Array.isArray(option[0]) ? option : [option];
    const combos = options.reduce(
      (acc, [name, values]) => acc.flatMap((c) => values.map((v) => [...c, { name, value: v }])),
      [[]],
    );
    if (combos.length !== variants.length)
      throw new Error(`${title}: ${combos.length} option combinations, ${variants.length} variants`);
    return {
      id: `gid://shopify/Product/${productId++}`,
      title,
      vendor,
      productType,
      status: 'ACTIVE',
      image: image === null ? null : `images/${image}.svg`,
      variants: variants.map(([price, inventory, extra = {}], i) => {
        const opts = combos[i];
        const sku =
          extra.sku === null || skuStem === null
            ? null
            : option === null
              ? skuStem
              : [skuStem, ...opts.map((o) => SKU_CODE[o.value])].join('-');
        return {
          id: `gid://shopify/ProductVariant/${variantId++}`,
          title: opts.map((o) => o.value).join(' / '),
          sku,
          barcode: extra.barcode === null ? null : barcode(vendor),
          price,
          compareAtPrice: extra.compareAt ?? null,
          taxable: !TAX_FREE.has(productType),
          inventoryQuantity: inventory ?? null,
          image: extra.image ? `images/${extra.image}.svg` : null,
          options: opts,
        };
      }),
    };
  });
  return { shop: { name: "Satoshi's Corner Café", currency: 'USD' }, products };
}

// ─── Checks ─────────────────────────────────────────────────────────────────────────────────
/** Independent of checkDigit above: the textbook EAN-13 and UPC-A rules, position by position. */
function validBarcode(code) {
  const d = [...code].map(Number);
  if (code.length === 13) return d.reduce((s, x, i) => s + x * (i % 2 ? 3 : 1), 0) % 10 === 0;
  if (code.length === 12) return d.reduce((s, x, i) => s + x * (i % 2 ? 1 : 3), 0) % 10 === 0;
  return false;
}

function check(catalog) {
  const problems = [];
  const fail = (m) => problems.push(m);
  const ids = new Set();
  const skus = new Set();
  const codes = new Set();
  const types = new Set();
  let variants = 0;
  let withBarcode = 0;
  let noImage = 0;
  if (catalog.shop.currency !== 'USD') fail('currency');
  if (catalog.products.length < 48) fail(`only ${catalog.products.length} products`);
  for (const p of catalog.products) {
    types.add(p.productType);
    if (ids.has(p.id)) fail(`duplicate id ${p.id}`);
    ids.add(p.id);
    if (p.image === null) noImage++;
    else if (!existsSync(join(RES, p.image))) fail(`${p.title}: missing ${p.image}`);
    if (p.variants.length < 1 || p.variants.length > 4) fail(`${p.title}: ${p.variants.length} variants`);
    for (const v of p.variants) {
      variants++;
      if (ids.has(v.id)) fail(`duplicate id ${v.id}`);
      ids.add(v.id);
      if (!/^\d+\.\d{2}$/.test(v.price)) fail(`${p.title}: price ${v.price}`);
      const cents = Math.round(Number(v.price) * 100);
      if (cents < 200 || cents > 4500) fail(`${p.title}: price ${v.price} outside $2–$45`);
      if (v.compareAtPrice !== null && !(Number(v.compareAtPrice) > Number(v.price)))
        fail(`${p.title}: compareAt`);
      if (v.sku !== null) {
        if (skus.has(v.sku)) fail(`duplicate SKU ${v.sku}`);
        skus.add(v.sku);
      }
      if (v.barcode !== null) {
        withBarcode++;
        if (!validBarcode(v.barcode)) fail(`${p.title}: bad check digit ${v.barcode}`);
        const gtin = v.barcode.padStart(14, '0');
        if (codes.has(gtin)) fail(`duplicate barcode ${v.barcode}`);
        codes.add(gtin);
      }
      if (v.image !== null && !existsSync(join(RES, v.image))) fail(`${p.title}: missing ${v.image}`);
      const single = p.variants.length === 1 && v.title === 'Default Title';
      if (!single && v.title !== v.options.map((o) => o.value).join(' / ')) fail(`${p.title}: variant title`);
    }
  }
  if (noImage > 5) fail(`${noImage} products without an image`);
  for (const t of ['Coffee', 'Tea', 'Bakery', 'Cold drinks', 'Beans', 'Merch', 'Snacks'])
    if (!types.has(t)) fail(`no ${t}`);
  for (const f of readdirSync(IMAGES)) {
    const size = statSync(join(IMAGES, f)).size;
    if (size >= 3072) fail(`${f} is ${size} bytes`);
  }
  if (problems.length) throw new Error(`demo catalog check failed:\n  ${problems.join('\n  ')}`);
  return {
    products: catalog.products.length,
    variants,
    withBarcode,
    withoutBarcode: variants - withBarcode,
    noImage,
  };
}

// ─── Icons ──────────────────────────────────────────────────────────────────────────────────
const ICON_SIZES = [16, 32, 48, 64, 128, 256, 512];

/** An ICO of BMP entries below 256 px (every Windows tool reads those) and a PNG entry at 256. */
async function writeIco(pngs) {
  const { PNG } = (await import('pngjs')).default;
  const images = [16, 32, 48, 64, 128, 256].map((size) => {
    if (size === 256) return { size, data: pngs.get(256) };
    const { data } = PNG.sync.read(pngs.get(size));
    const header = Buffer.alloc(40);
    header.writeUInt32LE(40, 0);
    header.writeInt32LE(size, 4);
    header.writeInt32LE(size * 2, 8); // XOR bitmap + AND mask
    header.writeUInt16LE(1, 12);
    header.writeUInt16LE(32, 14);
    const xor = Buffer.alloc(size * size * 4);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const s = (y * size + x) * 4;
        const t = ((size - 1 - y) * size + x) * 4; // bottom-up rows, BGRA
        xor[t] = data[s + 2];
        xor[t + 1] = data[s + 1];
        xor[t + 2] = data[s];
        xor[t + 3] = data[s + 3];
      }
    const and = Buffer.alloc(Math.ceil(size / 32) * 4 * size); // all zero: alpha decides
    return { size, data: Buffer.concat([header, xor, and]) };
  });
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(1, 2);
  dir.writeUInt16LE(images.length, 4);
  let offset = dir.length;
  images.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    dir.writeUInt8(size === 256 ? 0 : size, e);
    dir.writeUInt8(size === 256 ? 0 : size, e + 1);
    dir.writeUInt16LE(1, e + 4);
    dir.writeUInt16LE(32, e + 6);
    dir.writeUInt32LE(data.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  writeFileSync(join(RES, 'icon.ico'), Buffer.concat([dir, ...images.map((i) => i.data)]));
}

async function renderIcons() {
  const { chromium } = await import('playwright-core');
  const source = readFileSync(join(RES, 'icon.svg'), 'utf8');
  // Below 48 px the receipt's lines are noise and the margin wastes pixels: crop and simplify.
  const small = source
    .replace(/<g id="detail">[\s\S]*?<\/g>/, '')
    .replace('id="simple" display="none"', 'id="simple"')
    .replace('viewBox="0 0 512 512"', 'viewBox="24 24 464 464"');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    const pngs = new Map();
    mkdirSync(join(RES, 'icons'), { recursive: true });
    for (const size of ICON_SIZES) {
      const svgText = size < 48 ? small : source;
      const src = `data:image/svg+xml;base64,${Buffer.from(svgText).toString('base64')}`;
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(
        `<html><body style="margin:0;background:transparent"><img src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`,
      );
      await page.locator('img').evaluate((img) => img.decode());
      const png = await page.screenshot({
        omitBackground: true,
        clip: { x: 0, y: 0, width: size, height: size },
      });
      pngs.set(size, png);
      writeFileSync(join(RES, 'icons', `${size}x${size}.png`), png);
    }
    writeFileSync(join(RES, 'icon.png'), pngs.get(512));
    await writeIco(pngs);
  } finally {
    await browser.close();
  }
}

// ─── Main ───────────────────────────────────────────────────────────────────────────────────
rmSync(IMAGES, { recursive: true, force: true });
mkdirSync(IMAGES, { recursive: true });
for (const [name, [type, title, body, shadow]] of Object.entries(ART)) {
  writeFileSync(join(IMAGES, `${name}.svg`), svg(type, title, body, shadow));
}
const catalog = buildCatalog();
writeFileSync(join(RES, 'demo-catalog.json'), `${JSON.stringify(catalog, null, 2)}\n`);
const counts = check(catalog);
const unused = Object.keys(ART).filter(
  (n) =>
    !catalog.products.some(
      (p) => p.image === `images/${n}.svg` || p.variants.some((v) => v.image === `images/${n}.svg`),
    ),
);
if (unused.length) throw new Error(`images no product uses: ${unused.join(', ')}`);
console.log(JSON.stringify({ ...counts, images: Object.keys(ART).length }));
if (process.argv.includes('--icons')) await renderIcons();
